import Primitives

/// Checks one provider's tokens before they are handed out, as its ``TokenValidation`` says.
///
/// The refresh round asks it about every token a token endpoint issued, the session about a token
/// restored from the store or adopted from the fleet. It keeps the issuer's keys and metadata and the
/// probe's rate limit between calls.
final class TokenValidator: Sendable {
    /// What a passed validation checked (tests and callers that want to know whether a probe ran).
    struct Passed: Sendable {
        /// Whether the token was read as a JWT (`false`: opaque).
        var jwt: Bool
        /// Whether the signature was verified.
        var signature: Bool
        /// The probe's outcome, `nil` without a probe.
        var probe: LiveProber.Outcome?
    }

    let validation: TokenValidation
    let keys: IssuerKeys?
    let prober: LiveProber?

    init(configuration: ProviderConfiguration, validation: TokenValidation, transport: any TokenEndpointTransport) {
        self.validation = validation
        let http = ValidationHTTP(transport: transport, timeout: configuration.timeouts.step(forAttempt: 1))
        let metadata = IssuerMetadata(
            issuer: validation.issuer, http: http,
            retryInterval: validation.signature?.minimumRefetchInterval ?? .seconds(60)
        )
        self.keys = validation.signature.map { IssuerKeys(check: $0, http: http, metadata: metadata) }
        self.prober = validation.probe.map {
            LiveProber(probe: $0, provider: configuration, http: http, metadata: metadata)
        }
    }

    /// Validates `token`.
    ///
    /// - Parameters:
    ///   - token: The access token.
    ///   - now: The manager's time in Unix nanoseconds (rate limits and caches are measured with it).
    ///   - skew: The provider's clock minus the manager's, estimated from its `Date` header: the time claims
    ///     are compared with the provider's time.
    /// - Returns: What was checked.
    /// - Throws: ``TokenValidationFailure``: the first check that failed.
    func validate(_ token: Secret, now: Int64, skew: Int64 = 0) async throws(TokenValidationFailure) -> Passed {
        let text = token.revealed
        var passed = Passed(jwt: false, signature: false, probe: nil)
        let readAsJWT: Bool
        switch self.validation.format {
        case .opaque: readAsJWT = false
        case .jwt: readAsJWT = true
        default: readAsJWT = CompactJWT.looksLikeJWT(text)
        }
        if readAsJWT {
            let jwt = try CompactJWT.parse(text)
            passed.jwt = true
            if self.validation.checkTime { try self.checkTime(jwt, now: now + skew) }
            if let keys = self.keys {
                try await keys.verify(jwt, token: text, now: now)
                passed.signature = true
            }
            try self.checkClaims(jwt)
        } else if self.validation.format != .opaque, self.keys != nil || self.validation.issuer != nil
            || !self.validation.audiences.isEmpty, self.prober == nil
        {
            // Claims to check and nothing to check them on: an opaque token cannot prove its issuer or audience.
            throw TokenValidationFailure(
                .structure, "the token is not a JWT, and signature, issuer or audience checks are configured"
            )
        }
        if let prober = self.prober {
            passed.probe = try await prober.check(token, now: now, validation: self.validation)
        }
        return passed
    }

    /// `exp`, `nbf` and `iat` with the leeway (RFC 7519 §4.1.4, §4.1.5, §4.1.6).
    private func checkTime(_ jwt: CompactJWT, now: Int64) throws(TokenValidationFailure) {
        let seconds = Double(now) / 1e9
        let leeway = self.validation.leeway.seconds
        if let exp = jwt.expiry, seconds >= exp + leeway {
            throw TokenValidationFailure(
                .expired, "exp is \(Self.ago(seconds - exp)) in the past (leeway \(Self.ago(leeway)))"
            )
        }
        if let nbf = jwt.notBefore, seconds + leeway < nbf {
            throw TokenValidationFailure(
                .notYetValid, "nbf is \(Self.ago(nbf - seconds)) in the future (leeway \(Self.ago(leeway)))"
            )
        }
        if let iat = jwt.issuedAt, seconds + leeway < iat {
            throw TokenValidationFailure(
                .notYetValid, "iat is \(Self.ago(iat - seconds)) in the future (leeway \(Self.ago(leeway)))"
            )
        }
    }

    /// `iss` and `aud` against the configuration (RFC 7519 §4.1.1, §4.1.3).
    private func checkClaims(_ jwt: CompactJWT) throws(TokenValidationFailure) {
        if let issuer = self.validation.issuer {
            guard let named = jwt.issuer else {
                throw TokenValidationFailure(.issuer, "the token has no iss claim; '\(issuer)' is required")
            }
            guard named == issuer else {
                throw TokenValidationFailure(
                    .issuer, "iss is '\(named.prefix(200))', not the configured '\(issuer)'"
                )
            }
        }
        if !self.validation.audiences.isEmpty {
            let audiences = jwt.audiences
            guard !audiences.isEmpty else {
                throw TokenValidationFailure(
                    .audience, "the token has no aud claim; one of \(self.validation.audiences) is required"
                )
            }
            guard !Set(audiences).isDisjoint(with: self.validation.audiences) else {
                throw TokenValidationFailure(
                    .audience,
                    "aud \(audiences.prefix(5).map { String($0.prefix(100)) }) names none of "
                        + "\(self.validation.audiences)"
                )
            }
        }
    }

    private static func ago(_ seconds: Double) -> String {
        TokenRefreshError.format(seconds: max(0, seconds))
    }
}
