import HTTPTypes
import OAuthTopConfig

/// Whether an upstream response says the token was refused: 401, a status the configuration adds
/// (`auth_errors.statuses`), or any response whose `WWW-Authenticate` carries a Bearer challenge with
/// `error="invalid_token"` (RFC 6750 §3.1).
public enum AuthErrorRule {
    /// - Parameters:
    ///   - status: The upstream's status.
    ///   - fields: The upstream's response fields.
    ///   - settings: The proxy's `auth_errors`.
    public static func isAuthError(status: Int, fields: HTTPFields, settings: ProxySettings.AuthErrors) -> Bool {
        self.isAuthError(status: status, challenges: fields[values: .wwwAuthenticate], settings: settings)
    }

    /// The same rule over the `WWW-Authenticate` values alone (the pipeline reads them from NIO's headers).
    static func isAuthError(status: Int, challenges: some Sequence<String>, settings: ProxySettings.AuthErrors) -> Bool {
        if status == 401 || settings.statuses.contains(status) { return true }
        return challenges.contains(where: self.isInvalidTokenChallenge)
    }

    /// Whether a `WWW-Authenticate` value has a Bearer challenge whose `error` parameter is `invalid_token`.
    public static func isInvalidTokenChallenge(_ value: String) -> Bool {
        let lowered = value.lowercased()
        guard let bearer = lowered.range(of: "bearer") else { return false }
        let parameters = lowered[bearer.upperBound...]
        // The parameter may be quoted or a bare token (RFC 9110 §11.2 auth-param).
        for form in ["error=\"invalid_token\"", "error=invalid_token"] {
            var rest = parameters[...]
            while let found = rest.range(of: form) {
                // `error=` itself, not the tail of another parameter (`some_error=`).
                let before = found.lowerBound == parameters.startIndex ? " " : parameters[parameters.index(before: found.lowerBound)]
                if before == " " || before == "," || before == "\t" { return true }
                rest = parameters[found.upperBound...]
            }
        }
        return false
    }
}
