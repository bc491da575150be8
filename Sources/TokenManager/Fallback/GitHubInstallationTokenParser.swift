import Primitives

/// A GitHub App installation token as GitHub answered it, checked.
public struct GitHubInstallationToken: Sendable {
    /// The token (`ghs_...`), sent as a bearer credential.
    public var token: Secret
    /// `expires_at`, in Unix nanoseconds on GitHub's clock.
    public var expiresAt: Int64
}

/// Reads GitHub's answer to `POST /app/installations/{id}/access_tokens`.
///
/// `201 Created` (or `200`) with `{"token": "...", "expires_at": "2026-12-06T08:00:00Z", ...}` is a
/// token; every other answer becomes an ``AttemptFailure`` that says what GitHub meant and what to
/// check, with GitHub's own `message` (shortened, control characters removed). A rate limit (`429`,
/// or `403` with `x-ratelimit-remaining: 0` or `retry-after`) carries how long to wait, from
/// `retry-after` or `x-ratelimit-reset` as GitHub documents.
public enum GitHubInstallationTokenParser {
    /// The longest token accepted; GitHub's are about 40 characters.
    public static let maximumTokenLength = 4096

    /// Parses one answer.
    ///
    /// - Parameters:
    ///   - response: Status, headers and body as received.
    ///   - now: Local wall time in Unix seconds, for a rate limit's reset time.
    /// - Returns: The token and its expiry.
    /// - Throws: An ``AttemptFailure``: kind `.badResponse` for a malformed success, `.rateLimited`
    ///   with `retryAfter` for a rate limit, `.serverError` for 5xx, `.unexpectedStatus` otherwise.
    public static func parse(
        _ response: TokenEndpointResponse, now: Double
    ) throws(AttemptFailure)
        -> GitHubInstallationToken
    {
        switch response.status {
        case 200, 201:
            return try self.success(response.body)
        default:
            throw self.failure(response, now: now)
        }
    }

    private static func success(_ body: [UInt8]) throws(AttemptFailure) -> GitHubInstallationToken {
        guard let parsed = JSONValue.parse(body) else {
            throw self.bad("not_json", "the answer is not JSON")
        }
        guard let object = parsed.object else {
            throw self.bad("not_object", "the answer is JSON but not an object (\(parsed.kind.prefix(60)))")
        }
        guard let rawToken = object["token"] else { throw self.bad("missing_token", "the answer has no token") }
        guard let token = rawToken.string, !token.isEmpty else {
            throw self.bad("missing_token", "token is not a non-empty string")
        }
        guard token.utf8.count <= self.maximumTokenLength else {
            throw self.bad("bad_token", "token is longer than \(self.maximumTokenLength) bytes")
        }
        // It goes into an Authorization header: printable ASCII without spaces only.
        guard token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw self.bad("bad_token", "token contains characters that cannot be sent in a header")
        }
        guard let rawExpiry = object["expires_at"] else {
            throw self.bad("missing_expires_at", "the answer has no expires_at: the token's lifetime is unknown")
        }
        guard let text = rawExpiry.string else {
            throw self.bad("bad_expires_at", "expires_at is \(rawExpiry.kind.prefix(60)), not an RFC 3339 time")
        }
        guard text.utf8.count <= 64, let expiresAt = RFC3339.parse(text) else {
            throw self.bad("bad_expires_at", "expires_at '\(self.clean(text, limit: 40))' is not an RFC 3339 time")
        }
        return GitHubInstallationToken(token: Secret(token), expiresAt: expiresAt)
    }

    private static func failure(_ response: TokenEndpointResponse, now: Double) -> AttemptFailure {
        let status = response.status
        let said = self.message(response.body).map { ": \($0)" } ?? ""
        if let wait = self.rateLimit(response, now: now) {
            return AttemptFailure(
                kind: .rateLimited, code: "rate_limited",
                detail: "HTTP \(status), GitHub's rate limit\(said); "
                    + "retry in \(TokenRefreshError.format(seconds: wait.seconds))",
                status: status, retryAfter: wait
            )
        }
        let hint: String
        switch status {
        case 401:
            hint = "GitHub rejected the app JWT: check app_id, the private key, and this machine's clock"
        case 403:
            hint = "GitHub refused the app this token (suspended app, or permissions)"
        case 404:
            hint = "no such installation of this app: check installation_id, app_id and api_url"
        case 422:
            hint = "GitHub could not process the request (the requested permissions or repositories?)"
        case 500...599:
            return AttemptFailure(
                kind: .serverError, code: "http_\(status)", detail: "HTTP \(status)\(said)", status: status)
        default:
            hint = "unexpected answer"
        }
        return AttemptFailure(
            kind: .unexpectedStatus, code: "http_\(status)", detail: "HTTP \(status) \(hint)\(said)", status: status
        )
    }

    /// How long GitHub asks to wait, when the answer is a rate limit.
    private static func rateLimit(_ response: TokenEndpointResponse, now: Double) -> Duration? {
        guard response.status == 429 || response.status == 403 else { return nil }
        let serverNow = response.header("date").flatMap(HTTPDate.parse)
        if let value = response.header("retry-after"),
            let wait = HTTPDate.retryAfter(value, serverNow: serverNow, localNow: now)
        {
            return wait
        }
        let exhausted = response.header("x-ratelimit-remaining")?.trimmingCharacters(in: .whitespaces) == "0"
        if exhausted || response.status == 429 {
            if let reset = response.header("x-ratelimit-reset").flatMap({
                Int64($0.trimmingCharacters(in: .whitespaces))
            }),
                reset >= 0, reset < 1 << 40
            {
                // Compared with our clock: the app JWT already needs it close to GitHub's.
                let wait = Double(reset) - now
                return .seconds(min(max(wait, 0), 24 * 3600))
            }
            // GitHub: "wait for at least one minute" when nothing says how long.
            return .seconds(60)
        }
        return nil
    }

    /// GitHub's `message`, shortened and without control characters.
    private static func message(_ body: [UInt8]) -> String? {
        guard let text = JSONValue.parse(body)?.object?["message"]?.string, !text.isEmpty else { return nil }
        return self.clean(text, limit: 200)
    }

    private static func clean(_ text: String, limit: Int) -> String {
        var kept = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars where scalar.value >= 0x20 && scalar.value != 0x7F {
            guard count < limit else { return String(kept) + "..." }
            kept.append(scalar)
            count += 1
        }
        return String(kept)
    }

    private static func bad(_ code: String, _ detail: String) -> AttemptFailure {
        AttemptFailure(kind: .badResponse, code: "bad_response", detail: "\(code): \(detail)", status: 201)
    }
}
