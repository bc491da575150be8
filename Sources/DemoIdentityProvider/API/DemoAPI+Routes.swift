import Hummingbird

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The API's routes, reached once a request has passed the token check, the faults and the quota.
extension DemoAPI {
    private struct Item: Encodable {
        var id: String
        var name: String
        var owner: String
        var version: Int
    }

    private struct Completion: Encodable {
        struct Usage: Encodable {
            var prompt_characters: Int
            var completion_characters: Int
        }

        var id: String
        var object: String
        var created: Int64
        var model: String
        var text: String
        var usage: Usage
    }

    /// The answer of the route `request` names.
    func route(_ request: Request, claims: DemoAccessTokenClaims) async -> APIAnswer {
        let rest = request.uri.path.dropFirst(self.configuration.pathPrefix.count)
        let segments = rest.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        switch (segments.first, segments.count) {
        case ("items"?, 2):
            return self.item(String(segments[segments.startIndex + 1]), request: request, owner: claims.sub.value)
        case ("complete"?, 1):
            return await self.complete(request)
        case ("stream"?, 1):
            return self.stream(request)
        default:
            return APIAnswer(
                response: APIResponses.error(.notFound, "not_found", "no such API route"), outcome: .notFound
            )
        }
    }

    private func methodNotAllowed(_ allowed: String) -> APIAnswer {
        var headers = HTTPFields()
        headers[.allow] = allowed
        let response = APIResponses.error(
            .methodNotAllowed, "method_not_allowed", "this route accepts \(allowed)", headers: headers
        )
        return APIAnswer(response: response, outcome: .methodNotAllowed)
    }

    private func badRequest(_ message: String, status: HTTPResponse.Status = .badRequest) -> APIAnswer {
        APIAnswer(response: APIResponses.error(status, "invalid_request", message), outcome: .badRequest)
    }

    // MARK: GET items/{id}

    private func item(_ id: String, request: Request, owner: String) -> APIAnswer {
        guard request.method == .get else { return self.methodNotAllowed("GET") }
        let allowed = id.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        // At least one letter or digit: `.` and `..` are not items.
        let named = id.utf8.contains { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        guard id.utf8.count <= 64, allowed, named else {
            let message = "no such item (an id is 1 to 64 of [A-Za-z0-9._-], with a letter or digit)"
            return APIAnswer(response: APIResponses.error(.notFound, "not_found", message), outcome: .notFound)
        }
        let maxAge = max(0, self.configuration.itemMaxAge.wholeSecondsRoundedUp)
        let response = APIResponses.json(
            Item(id: id, name: "demo item \(id)", owner: owner, version: 1), cacheControl: "max-age=\(maxAge)"
        )
        return APIAnswer(response: response, outcome: .ok)
    }

    // MARK: POST complete

    private func complete(_ request: Request) async -> APIAnswer {
        guard request.method == .post else { return self.methodNotAllowed("POST") }
        if let contentType = request.headers[.contentType] {
            let mediaType = trimmedSpaces(contentType.split(separator: ";").first ?? "").lowercased()
            guard mediaType == "application/json" || mediaType.hasSuffix("+json") else {
                return self.badRequest(
                    "the body must be application/json, not \(mediaType.prefix(60))", status: .unsupportedMediaType
                )
            }
        }
        var request = request
        let limit = self.provider.configuration.maximumBodySize
        guard let body = try? await request.collectBody(upTo: limit) else {
            return self.badRequest("the body is larger than \(limit) bytes", status: .contentTooLarge)
        }
        let completion: DemoCompletionRequest
        do {
            completion = try DemoCompletionRequest.parse(body.readableBytesView)
        } catch {
            return self.badRequest(error.message)
        }
        // Says what was asked without repeating the prompt (the client's data).
        let text = "A demo completion by \(completion.model) for a prompt of \(completion.prompt.count) characters."
        let answer = Completion(
            id: "cmpl_" + randomToken(bytes: 12), object: "completion", created: Self.nowSince1970(),
            model: completion.model, text: text,
            usage: .init(prompt_characters: completion.prompt.count, completion_characters: text.count)
        )
        var reply = APIAnswer(response: APIResponses.json(answer), outcome: .ok)
        reply.model = completion.model
        return reply
    }

    // MARK: GET stream

    private func stream(_ request: Request) -> APIAnswer {
        guard request.method == .get else { return self.methodNotAllowed("GET") }
        let parameters: DemoStreamRequest
        do {
            parameters = try DemoStreamRequest.parse(
                query: request.uri.query ?? "",
                maximumEvents: self.configuration.maximumStreamEvents,
                maximumInterval: self.configuration.maximumStreamInterval
            )
        } catch {
            return self.badRequest(error.message)
        }
        let response = EventStream(provider: self.provider, request: parameters).response()
        return APIAnswer(response: response, outcome: .ok)
    }
}
