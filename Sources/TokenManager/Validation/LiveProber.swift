import Foundation
import Primitives
import Synchronization

/// Asks the provider whether a token is live: RFC 7662 introspection or a probe URL, rate-limited.
///
/// The rate limit (see ``LiveProbe``): a token is probed at most once (the fingerprints of recently
/// probed tokens are remembered), and probes are at least ``LiveProbe/minimumInterval`` apart per
/// provider; a token that comes sooner is not probed.
final class LiveProber: Sendable {
    /// What happened to one token.
    enum Outcome: String, Sendable {
        case passed
        /// Inside the minimum interval, or probed before: handed out without a probe.
        case skipped
    }

    private struct State {
        var lastProbe: Int64?
        var probed: [String] = []
    }

    /// How many probed fingerprints are remembered.
    static let remembered = 32

    private let probe: LiveProbe
    private let http: ValidationHTTP
    private let metadata: IssuerMetadata
    private let provider: ProviderConfiguration
    private let state = Mutex(State())

    init(probe: LiveProbe, provider: ProviderConfiguration, http: ValidationHTTP, metadata: IssuerMetadata) {
        self.probe = probe
        self.provider = provider
        self.http = http
        self.metadata = metadata
    }

    /// Probes `token` unless the rate limit says not to.
    ///
    /// - Returns: Whether it was probed (and passed) or skipped.
    /// - Throws: `inactive` (introspection said `active: false`), `issuer` or `audience` (introspection named
    ///   another), or `probe` (the probe URL answered other than 2xx, or introspection could not be asked or
    ///   answered something that is not RFC 7662).
    func check(_ token: Secret, now: Int64, validation: TokenValidation) async throws(TokenValidationFailure) -> Outcome {
        let fingerprint = token.fingerprint
        let due = self.state.withLock { state -> Bool in
            if state.probed.contains(fingerprint) { return false }
            if let last = state.lastProbe, now - last < self.probe.minimumInterval.nanoseconds { return false }
            state.lastProbe = now
            state.probed.append(fingerprint)
            if state.probed.count > Self.remembered { state.probed.removeFirst() }
            return true
        }
        guard due else { return .skipped }
        switch self.probe.target {
        case .url(let url):
            let request = TokenEndpointRequest(
                url: url,
                headers: [("Authorization", "Bearer \(token.revealed)"), ("User-Agent", "oauthtop")],
                body: [],
                method: "GET"
            )
            _ = try await self.http.fetch(request, what: "the probe URL", check: .probe)
        case .introspection(let configured):
            let url: String
            if let configured {
                url = configured
            } else {
                let discovered: AuthorizationServerMetadata
                do {
                    discovered = try await self.metadata.get(now: now)
                } catch {
                    throw TokenValidationFailure(.probe, error.detail)
                }
                guard let endpoint = discovered.introspectionEndpoint else {
                    throw TokenValidationFailure(.probe, "the issuer's metadata has no introspection_endpoint")
                }
                url = endpoint
            }
            let response = try await self.http.fetch(
                self.introspectionRequest(url: url, token: token), what: "the introspection endpoint", check: .probe
            )
            let answer = try IntrospectionResponse.parse(response.body)
            guard answer.active else {
                throw TokenValidationFailure(.inactive, "the introspection endpoint answered active: false")
            }
            if let issuer = validation.issuer, let named = answer.issuer, named != issuer {
                throw TokenValidationFailure(.issuer, "introspection names issuer '\(named.prefix(200))', not '\(issuer)'")
            }
            if !validation.audiences.isEmpty, !answer.audiences.isEmpty,
                Set(answer.audiences).isDisjoint(with: validation.audiences)
            {
                throw TokenValidationFailure(.audience, "introspection names none of the configured audiences")
            }
        }
        return .passed
    }

    /// RFC 7662 §2.1: the token in a form body, the client authenticated as at the token endpoint.
    private func introspectionRequest(url: String, token: Secret) -> TokenEndpointRequest {
        var form: [(String, String)] = [("token", token.revealed), ("token_type_hint", "access_token")]
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
            ("User-Agent", "oauthtop"),
        ]
        let secret = self.provider.clientSecret?.revealed
        if self.provider.clientAuthentication == .basic, let secret {
            let pair = FormEncoding.encode(self.provider.clientID) + ":" + FormEncoding.encode(secret)
            headers.append(("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()))
        } else {
            form.append(("client_id", self.provider.clientID))
            if let secret { form.append(("client_secret", secret)) }
        }
        return TokenEndpointRequest(url: url, headers: headers, body: Array(FormEncoding.encode(form).utf8))
    }
}
