import JWTKit
import Primitives
import Synchronization

/// The issuer's signing keys from its JWKS, cached, and signature verification with jwt-kit.
///
/// The set is fetched on first use. A token whose `kid` is not in the cached set causes a refetch,
/// at most once per ``SignatureCheck/minimumRefetchInterval`` (a token with an unknown `kid` in between
/// is refused with `unknown_kid` without a request): a provider that rotated its keys is followed within
/// a minute, and tokens with made-up key ids cannot make the manager hammer the JWKS endpoint.
final class IssuerKeys: Sendable {
    private struct State {
        var keys: [JWKSDocument.Key] = []
        var fetched = false
        var lastFetch: Int64?
        var lastFailure: TokenValidationFailure?
        /// One jwt-kit collection per key (by its index in `keys`), made on first use.
        var verifiers: [Int: JWTKeyCollection] = [:]
        var generation = 0
    }

    private let check: SignatureCheck
    private let http: ValidationHTTP
    private let metadata: IssuerMetadata
    private let state = Mutex(State())
    /// The HS256 key, when a shared secret of at least 32 bytes is configured (RFC 7518 §3.2).
    private let hmacKey: HMACKey?

    /// How many JWKS fetches were made (for tests and the status line).
    var fetches: Int { self.fetchCount.load(ordering: .relaxed) }
    private let fetchCount = Atomic<Int>(0)

    init(check: SignatureCheck, http: ValidationHTTP, metadata: IssuerMetadata) {
        self.check = check
        self.http = http
        self.metadata = metadata
        self.hmacKey = check.sharedSecret.flatMap { secret in
            secret.revealed.utf8.count >= 32 ? HMACKey(from: Array(secret.revealed.utf8)) : nil
        }
    }

    /// Verifies the signature of `jwt` (whose text is `token`).
    ///
    /// - Throws: `algorithm` for `none`, an algorithm not allowed, or one that does not fit the key
    ///   (an HMAC token is never verified with a JWKS key); `unknown_kid`; `signature`; `keys_unavailable`.
    func verify(_ jwt: CompactJWT, token: String, now: Int64) async throws(TokenValidationFailure) {
        let algorithm = jwt.algorithm
        if algorithm.lowercased() == "none" {
            throw TokenValidationFailure(.algorithm, "alg 'none' (an unsecured JWT) is refused")
        }
        if algorithm.hasPrefix("HS") {
            try await self.verifyHMAC(jwt, token: token)
            return
        }
        guard self.check.algorithms.contains(algorithm), SignatureCheck.asymmetricAlgorithms.contains(algorithm) else {
            throw TokenValidationFailure(
                .algorithm,
                "alg '\(algorithm.prefix(32))' is not accepted (accepted: \(self.check.algorithms.sorted().joined(separator: ", ")))"
            )
        }
        var candidates = try await self.candidates(for: jwt, now: now, refetch: false)
        if candidates.isEmpty, jwt.keyID != nil {
            candidates = try await self.candidates(for: jwt, now: now, refetch: true)
        }
        guard !candidates.isEmpty else {
            if let kid = jwt.keyID {
                throw TokenValidationFailure(
                    .unknownKid, "no key of the issuer's JWKS has kid '\(kid.prefix(64))' (refetched at most once a "
                        + "\(TokenRefreshError.format(seconds: self.check.minimumRefetchInterval.seconds)))"
                )
            }
            throw TokenValidationFailure(.unknownKid, "the issuer's JWKS has no key for alg '\(algorithm)'")
        }
        var lastError = "no key verified it"
        for (index, key) in candidates {
            guard key.algorithms.contains(algorithm) else {
                throw TokenValidationFailure(
                    .algorithm,
                    "alg '\(algorithm)' does not fit the key '\(key.keyID ?? "?")', a \(key.keyType) key "
                        + "(\(key.algorithms.sorted().joined(separator: ", ")) only): refused as algorithm confusion"
                )
            }
            let verifier: JWTKeyCollection
            do {
                verifier = try await self.verifier(index: index, key: key)
            } catch {
                lastError = error.detail
                continue
            }
            do {
                _ = try await verifier.verify(token, as: UncheckedClaims.self)
                return
            } catch {
                lastError = Self.describe(error)
            }
        }
        throw TokenValidationFailure(.signature, "the signature does not verify with the issuer's key: \(lastError)")
    }

    private func verifyHMAC(_ jwt: CompactJWT, token: String) async throws(TokenValidationFailure) {
        guard jwt.algorithm == "HS256" else {
            throw TokenValidationFailure(.algorithm, "alg '\(jwt.algorithm.prefix(32))' is not accepted (HS256 only)")
        }
        guard let key = self.hmacKey else {
            throw TokenValidationFailure(
                .algorithm,
                "alg HS256 but no shared secret (of at least 32 bytes) is configured; an HMAC token is never "
                    + "verified with a JWKS key (algorithm confusion)"
            )
        }
        let hmac = JWTKeyCollection()
        await hmac.add(hmac: key, digestAlgorithm: .sha256)
        do {
            _ = try await hmac.verify(token, as: UncheckedClaims.self)
        } catch {
            throw TokenValidationFailure(.signature, "the HS256 signature does not verify with the shared secret: \(Self.describe(error))")
        }
    }

    /// The keys that may have signed `jwt`, by index: the one with its `kid`, or, without a `kid`, every key
    /// for its algorithm. Fetches the set on first use, or again when `refetch` and the interval allows.
    private func candidates(for jwt: CompactJWT, now: Int64, refetch: Bool)
        async throws(TokenValidationFailure) -> [(Int, JWKSDocument.Key)]
    {
        let mustFetch = self.state.withLock { state -> Bool in
            let due = state.lastFetch.map { now - $0 >= self.check.minimumRefetchInterval.nanoseconds } ?? true
            guard (!state.fetched || refetch) && due else { return false }
            state.lastFetch = now
            return true
        }
        if mustFetch { try await self.fetch(now: now) }
        return try self.state.withLock { state throws(TokenValidationFailure) -> [(Int, JWKSDocument.Key)] in
            if !state.fetched, let failure = state.lastFailure { throw failure }
            // A set whose keys carry no `kid` (allowed by RFC 7517 §4.5) is matched by algorithm.
            let byKeyID = state.keys.contains { $0.keyID != nil }
            return state.keys.enumerated().filter { _, key in
                if let kid = jwt.keyID, byKeyID { return key.keyID == kid }
                return key.algorithms.contains(jwt.algorithm)
            }.map { ($0.offset, $0.element) }
        }
    }

    private func fetch(now: Int64) async throws(TokenValidationFailure) {
        self.fetchCount.add(1, ordering: .relaxed)
        do throws(TokenValidationFailure) {
            let url: String
            if let configured = self.check.jwksURL {
                url = configured
            } else {
                guard let discovered = try await self.metadata.get(now: now).jwksURI else {
                    throw TokenValidationFailure(.keysUnavailable, "the issuer's metadata has no jwks_uri")
                }
                url = discovered
            }
            let body = try await self.http.getJSON(url, what: "the JWKS document", check: .keysUnavailable)
            let document = try JWKSDocument.parse(body)
            self.state.withLock { state in
                state.keys = document.keys
                state.verifiers = [:]
                state.fetched = true
                state.lastFailure = nil
                state.generation += 1
            }
        } catch {
            self.state.withLock { $0.lastFailure = error }
            // A failed refetch keeps the keys already known (a rotation adds keys, it does not need the old ones
            // gone); a failed first fetch leaves none, and every token fails with this error until one succeeds.
            throw error
        }
    }

    private func verifier(index: Int, key: JWKSDocument.Key) async throws(TokenValidationFailure) -> JWTKeyCollection {
        if let cached = self.state.withLock({ $0.verifiers[index] }) { return cached }
        let collection = JWTKeyCollection()
        do {
            switch key.keyType {
            case "RSA":
                let publicKey = try Insecure.RSA.PublicKey(modulus: key.modulus ?? "", exponent: key.exponent ?? "")
                await collection.add(rsa: publicKey, digestAlgorithm: .sha256)
            case "EC":
                let publicKey = try ES256PublicKey(parameters: (key.x ?? "", key.y ?? ""))
                await collection.add(ecdsa: publicKey)
            case "OKP":
                let publicKey = try EdDSA.PublicKey(x: key.x ?? "", curve: .ed25519)
                await collection.add(eddsa: publicKey)
            default:
                throw TokenValidationFailure(.signature, "unsupported key type \(key.keyType)")
            }
        } catch let error as TokenValidationFailure {
            throw error
        } catch {
            throw TokenValidationFailure(
                .signature, "the key '\(key.keyID ?? "?")' of the JWKS cannot be used: \(Self.describe(error))"
            )
        }
        self.state.withLock { $0.verifiers[index] = collection }
        return collection
    }

    /// jwt-kit's error as a short reason (its messages name no token).
    private static func describe(_ error: any Error) -> String {
        if let error = error as? JWTError {
            if error.errorType == .signatureVerificationFailed { return "signature verification failed" }
            return "\(error.errorType)"
        }
        return "\(type(of: error))"
    }
}

/// A payload jwt-kit decodes without looking at it: the validator checks the claims itself (with the
/// leeway and the bounded failure reasons), jwt-kit only the signature.
struct UncheckedClaims: JWTPayload {
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {}
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
