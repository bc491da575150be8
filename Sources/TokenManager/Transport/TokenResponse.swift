import Foundation
import Primitives

/// A successful token endpoint response (RFC 6749 §5.1), checked.
///
/// Why it exists: it is the parser's output, what the provider said and nothing more (the
/// parser is tested and fuzzed on its own); it still has a rotated refresh token and the raw
/// `expires_in` / JWT `exp`, from which the session computes the expiry it trusts.
public struct TokenResponse: Sendable {
    public var accessToken: Secret
    public var tokenType: String
    /// `expires_in`, when the response carried one.
    public var expiresIn: Duration?
    /// The JWT `exp` claim of the access token (Unix seconds, provider's clock), when it is a JWT.
    public var jwtExpiry: Double?
    public var refreshToken: Secret?
    public var scope: String?
}

/// Parses token endpoint response bodies, rejecting every malformed one with a clear reason.
public enum TokenResponseParser {
    /// The longest lifetime accepted; anything above is treated as a broken response.
    public static let maximumLifetime: Duration = .seconds(366 * 24 * 3600)

    /// Parses a 200 response.
    ///
    /// - Parameters:
    ///   - body: The response body.
    ///   - contentType: The `Content-Type` header, if any.
    ///   - expectedTokenType: The `token_type` the provider must answer (case-insensitive).
    /// - Returns: The checked response.
    /// - Throws: An ``AttemptFailure`` of kind `.badResponse` naming what is wrong.
    public static func parseSuccess(body: [UInt8], contentType: String?, expectedTokenType: String)
        throws(AttemptFailure) -> TokenResponse
    {
        let object = try self.jsonObject(body: body, contentType: contentType)
        guard let rawToken = object["access_token"], rawToken.string != nil || !self.isNull(rawToken) else {
            throw self.bad("missing_access_token", "the response has no access_token")
        }
        guard let accessToken = rawToken.string, !accessToken.isEmpty else {
            throw self.bad("missing_access_token", "access_token is not a non-empty string")
        }
        guard let tokenType = object["token_type"]?.string else {
            throw self.bad("wrong_token_type", "the response has no token_type (RFC 6749 §5.1 requires it)")
        }
        guard tokenType.caseInsensitiveCompare(expectedTokenType) == .orderedSame else {
            throw self.bad(
                "wrong_token_type",
                "token_type is '\(String(tokenType.prefix(32)))', expected '\(expectedTokenType)'"
            )
        }
        let expiresIn = try self.expiresIn(object["expires_in"])
        let jwtExpiry = JWTClaims.expiry(ofCompactJWT: accessToken)
        if expiresIn == nil && jwtExpiry == nil {
            throw self.bad(
                "missing_expires_in",
                "the response has no expires_in and the access token is not a JWT with exp: its lifetime is unknown"
            )
        }
        var refreshToken: Secret?
        if let raw = object["refresh_token"], !self.isNull(raw) {
            guard let value = raw.string, !value.isEmpty else {
                throw self.bad("bad_refresh_token", "refresh_token is present but not a non-empty string")
            }
            refreshToken = Secret(value)
        }
        return TokenResponse(
            accessToken: Secret(accessToken),
            tokenType: tokenType,
            expiresIn: expiresIn,
            jwtExpiry: jwtExpiry,
            refreshToken: refreshToken,
            scope: object["scope"]?.string
        )
    }

    /// Parses an RFC 6749 §5.2 error body: the `error` code and `error_description`, if any.
    public static func parseError(body: [UInt8]) -> (code: String, description: String?)? {
        guard let object = JSONValue.parse(body)?.object,
            let code = object["error"]?.string, !code.isEmpty,
            code.utf8.count <= 64,
            code.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) })
        else { return nil }
        let description = object["error_description"]?.string.map { String($0.prefix(200)) }
        return (code, description)
    }

    private static func isNull(_ value: JSONValue) -> Bool {
        if case .null = value { return true }
        return false
    }

    private static func jsonObject(body: [UInt8], contentType: String?) throws(AttemptFailure) -> [String: JSONValue] {
        let trimmed = body.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard let first = trimmed.first else {
            throw self.bad("empty_body", "the response body is empty")
        }
        let type = contentType?.lowercased() ?? ""
        if first == UInt8(ascii: "<") || type.hasPrefix("text/html") {
            throw self.bad("html", "the response is an HTML page (content-type '\(type)'), not a token response")
        }
        guard let parsed = JSONValue.parse(trimmed) else {
            throw self.bad("not_json", "the response body is not JSON (content-type '\(type)')")
        }
        guard let object = parsed.object else {
            throw self.bad("not_object", "the response is JSON but not an object")
        }
        return object
    }

    private static func expiresIn(_ raw: JSONValue?) throws(AttemptFailure) -> Duration? {
        guard let raw, !self.isNull(raw) else { return nil }
        let seconds: Double
        if let number = raw.number {
            seconds = number
        } else if let text = raw.string, let value = Double(text.trimmingCharacters(in: .whitespaces)) {
            seconds = value
        } else {
            throw self.bad("bad_expires_in", "expires_in is not a number")
        }
        guard seconds.isFinite else { throw self.bad("bad_expires_in", "expires_in is not a finite number") }
        guard seconds > 0 else {
            throw self.bad("negative_expires_in", "expires_in is \(seconds), a token must live a positive time")
        }
        guard seconds <= self.maximumLifetime.seconds else {
            // Shown as a whole number where it fits; a value past Int64 (found by FuzzTokenResponse: it trapped
            // in `Int(seconds)`) is shown as the provider sent it.
            let shown = seconds < 9.2e18 ? String(Int64(seconds)) : String(seconds)
            throw self.bad(
                "absurd_expires_in",
                "expires_in is \(shown) s (over \(Int(self.maximumLifetime.seconds / 86400)) days): refusing it"
            )
        }
        return .milliseconds(Int64(seconds * 1000))
    }

    private static func bad(_ code: String, _ detail: String) -> AttemptFailure {
        AttemptFailure(kind: .badResponse, code: "bad_response", detail: "\(code): \(detail)", status: 200)
    }
}
