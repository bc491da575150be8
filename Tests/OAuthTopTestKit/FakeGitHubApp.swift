import CryptoExtras
import Foundation
import Hummingbird
import JWTKit
import Logging
import Primitives
import ServiceLifecycle
import Synchronization

/// A loopback stand-in for GitHub's `POST /app/installations/{id}/access_tokens`: it checks the app JWT
/// as GitHub does (RS256 signature with the app's public key, `iss`, `iat` about 60 s in the past, `exp` at
/// most 10 minutes ahead) and the documented headers, records what it saw, and answers as scripted.
public final class FakeGitHubApp: Sendable {
    /// How the fake answers a request whose JWT and headers passed the checks.
    public enum Answer: Sendable {
        /// `201 Created` with this token, expiring this many seconds after the fake's `now`.
        case token(String, expiresIn: Int)
        /// This status, body and headers.
        case status(Int, body: String, headers: [(String, String)] = [])
    }

    /// One request, as checked.
    public struct Exchange: Sendable {
        public var path: String
        /// Header values by lower-case name.
        public var headers: [String: String]
        /// The JWT's `alg` header.
        public var algorithm: String?
        public var issuer: String?
        public var issuedAt: Double?
        public var expiresAt: Double?
        /// The fake's `now` when it checked (Unix seconds).
        public var checkedAt: Double
        /// Why GitHub would refuse the request, or `nil` when it passed.
        public var problem: String?
    }

    /// The app's claims as the fake decodes them; their times are checked by hand against `now`.
    struct Claims: JWTPayload {
        var iss: IssuerClaim
        var iat: IssuedAtClaim
        var exp: ExpirationClaim
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    private struct State {
        var exchanges: [Exchange] = []
        var port: Int?
    }

    private let state = Mutex(State())
    private let appID: String
    private let installationID: String
    private let keys: JWTKeyCollection
    private let now: @Sendable () -> Double
    private let answer: @Sendable (Int) -> Answer

    private init(
        appID: String, installationID: String, keys: JWTKeyCollection, now: @escaping @Sendable () -> Double,
        answer: @escaping @Sendable (Int) -> Answer
    ) {
        self.appID = appID
        self.installationID = installationID
        self.keys = keys
        self.now = now
        self.answer = answer
    }

    /// Every request so far, in order.
    public var exchanges: [Exchange] { self.state.withLock { $0.exchanges } }
    /// The API root to configure (`api_url`).
    public var apiURL: String { "http://127.0.0.1:\(self.state.withLock { $0.port } ?? 0)" }

    /// A fresh 2048-bit RSA key: the private key in PKCS#1 PEM as GitHub issues it, the same in PKCS#8,
    /// and its public key.
    public static func generateKey() throws -> (privatePEM: String, pkcs8PEM: String, publicPEM: String) {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        return (key.pemRepresentation, key.pkcs8PEMRepresentation, key.publicKey.pemRepresentation)
    }

    /// Runs `body` with the fake listening on 127.0.0.1 (a free port); stops it afterwards.
    ///
    /// - Parameters:
    ///   - appID: The app id the JWT's `iss` must carry.
    ///   - installationID: The installation the path must name (another one answers 404).
    ///   - publicKeyPEM: The app's public key, which verifies the JWT.
    ///   - now: The fake's wall time in Unix seconds: the client's injected clock, so `iat`/`exp` compare.
    ///   - answer: How request number `index` (0-based) of those that passed is answered.
    public static func with<T: Sendable>(
        appID: String,
        installationID: String,
        publicKeyPEM: String,
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
        answer: @escaping @Sendable (Int) -> Answer = { .token("ghs_fake\($0)", expiresIn: 3600) },
        _ body: (FakeGitHubApp) async throws -> T
    ) async throws -> T {
        let keys = JWTKeyCollection()
        await keys.add(rsa: try Insecure.RSA.PublicKey(pem: publicKeyPEM), digestAlgorithm: .sha256)
        let fake = FakeGitHubApp(appID: appID, installationID: installationID, keys: keys, now: now, answer: answer)
        let router = Router()
        router.post("**") { request, _ -> Response in try await fake.handle(request) }
        var logger = Logger(label: "fake-github-app")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in fake.state.withLock { $0.port = channel.localAddress?.port } },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        defer { task.cancel() }
        guard await eventually({ fake.state.withLock { $0.port } != nil }) else {
            throw LoopbackError(description: "the fake GitHub App endpoint did not start")
        }
        let result = try await body(fake)
        await group.triggerGracefulShutdown()
        _ = await task.result
        return result
    }

    private func handle(_ request: Request) async throws -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        var exchange = Exchange(path: request.uri.path, headers: headers, checkedAt: self.now())
        let (status, body, extra): (Int, String, [(String, String)])
        if let problem = await self.check(&exchange) {
            exchange.problem = problem
            let notFound = problem.hasPrefix("path")
            (status, body, extra) = (
                notFound ? 404 : 401,
                #"{"message":"\#(notFound ? "Not Found" : "A JSON web token could not be decoded")","#
                    + #""documentation_url":"https://docs.github.com/rest"}"#,
                []
            )
            self.state.withLock { $0.exchanges.append(exchange) }
        } else {
            let index = self.state.withLock { state in
                state.exchanges.append(exchange)
                return state.exchanges.filter { $0.problem == nil }.count - 1
            }
            switch self.answer(index) {
            case .token(let token, let expiresIn):
                let expiresAt = RFC3339.seconds(unixNanoseconds: Int64((self.now() + Double(expiresIn)) * 1e9))
                (status, body, extra) = (
                    201,
                    #"{"token":"\#(token)","expires_at":"\#(expiresAt)","permissions":{"contents":"read"},"#
                        + #""repository_selection":"all"}"#,
                    []
                )
            case .status(let code, let text, let fields):
                (status, body, extra) = (code, text, fields)
            }
        }
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        for (name, value) in extra {
            if let field = HTTPFields.Element.Name(name) { fields[field] = value }
        }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// What GitHub would object to, or `nil`.
    private func check(_ exchange: inout Exchange) async -> String? {
        let expectedPath = "/app/installations/\(self.installationID)/access_tokens"
        guard exchange.path == expectedPath else { return "path \(exchange.path) is not \(expectedPath)" }
        guard exchange.headers["accept"] == "application/vnd.github+json" else { return "accept header" }
        guard exchange.headers["x-github-api-version"] == "2022-11-28" else { return "api version header" }
        guard exchange.headers["user-agent"]?.isEmpty == false else { return "no user agent" }
        guard let authorization = exchange.headers["authorization"], authorization.hasPrefix("Bearer ") else {
            return "no bearer authorization"
        }
        let jwt = String(authorization.dropFirst("Bearer ".count))
        if let header = jwt.split(separator: ".").first,
            let data = Data(base64Encoded: Self.padded(header)),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        {
            exchange.algorithm = object["alg"] as? String
        }
        let claims: Claims
        do {
            claims = try await self.keys.verify(jwt, as: Claims.self)
        } catch {
            return "signature: \(error)"
        }
        exchange.issuer = claims.iss.value
        exchange.issuedAt = claims.iat.value.timeIntervalSince1970
        exchange.expiresAt = claims.exp.value.timeIntervalSince1970
        let now = exchange.checkedAt
        guard exchange.algorithm == "RS256" else { return "alg \(exchange.algorithm ?? "none")" }
        guard claims.iss.value == self.appID else { return "iss \(claims.iss.value)" }
        guard let iat = exchange.issuedAt, abs(iat - (now - 60)) <= 2 else { return "iat not 60 s in the past" }
        guard let exp = exchange.expiresAt, exp > now, exp <= now + 600 else { return "exp not within 10 minutes" }
        return nil
    }

    private static func padded(_ part: Substring) -> String {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return text
    }
}
