import Hummingbird
import NIOCore

/// The front of every token socket request: admits the peer (`SO_PEERCRED` against the access policy
/// on the Unix socket, the bearer secret over TCP), refuses oversized bodies, then answers the
/// socket's own endpoints (``SocketRoute``) and passes other paths to the router's routes, a path
/// nobody serves getting a JSON 404.
struct TokenSocketMiddleware: RouterMiddleware {
    typealias Context = TokenSocketRequestContext

    /// How peers are admitted.
    enum Admission: Sendable {
        case unix(PeerAccessPolicy)
        case tcp(BearerSecret)
    }

    let admission: Admission
    let handler: TokenSocketHandler
    let maxBodyBytes: Int

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        switch self.admission {
        case .unix(let policy):
            let peer = await SocketPeer.unix(of: context.channel)
            if let reason = policy.check(peer) {
                return Self.response(self.handler.refuse(.forbidden(reason)))
            }
            context.peer = peer ?? SocketPeer(transport: .unix)
        case .tcp(let secret):
            guard secret.accepts(authorization: request.headers[.authorization]) else {
                return Self.response(self.handler.refuse(.unauthorized))
            }
            context.peer = .tcp
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > self.maxBodyBytes {
            return Self.response(self.handler.refuse(.bodyTooLarge(limit: self.maxBodyBytes)))
        }
        let target = request.head.path ?? ""
        let route: SocketRoute?
        do {
            route = try SocketRoute.parse(method: request.method.rawValue, target: target)
        } catch {
            return Self.response(self.handler.refuse(error))
        }
        if case .prometheus(let endpoint) = route {
            return Self.response(await self.prometheus(endpoint, request: request, target: target, peer: context.peer))
        }
        if let route {
            return Self.response(await self.handler.handle(route, peer: context.peer))
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return Self.response(self.handler.refuse(.notFound(path: request.uri.path)))
        }
    }

    /// A Prometheus API request: the URL's query and, for a `POST`, the form body, handed on undecoded.
    private func prometheus(
        _ endpoint: PrometheusAPIRoute, request: Request, target: String, peer: SocketPeer
    ) async -> SocketReply {
        var query = Substring()
        if let mark = target.firstIndex(of: "?") {
            query = target[target.index(after: mark)...]
            if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        }
        var form: ByteBuffer?
        if request.method == .post {
            let type = request.headers[.contentType] ?? ""
            guard type.lowercased().hasPrefix("application/x-www-form-urlencoded") else {
                return self.handler.refuse(.unsupportedMediaType(type))
            }
            do {
                form = try await request.body.collect(upTo: self.maxBodyBytes)
            } catch {
                return self.handler.refuse(.bodyTooLarge(limit: self.maxBodyBytes))
            }
        }
        return self.handler.prometheus(
            endpoint, query: Array(query.utf8), form: form.map { Array($0.readableBytesView) } ?? [], peer: peer
        )
    }

    /// The HTTP response of a reply.
    static func response(_ reply: SocketReply) -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .contentLength: String(reply.body.count)]
        if let allow = reply.allow { headers[.allow] = allow }
        if reply.challenge { headers[.wwwAuthenticate] = "Bearer" }
        if reply.close { headers[.connection] = "close" }
        return Response(
            status: HTTPResponse.Status(code: reply.status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body))
        )
    }
}
