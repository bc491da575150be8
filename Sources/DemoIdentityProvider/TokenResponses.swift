import Hummingbird

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A response the token endpoint sends, with what it means for statistics and logs.
struct TokenReply: Sendable {
    var response: Response
    var outcome: ProviderState.Outcome
    /// A short code for logs (`issued`, `invalid_client`, `fault_rate_limit`...), never a secret.
    var code: String
}

/// The body of a successful token response (RFC 6749 §5.1).
struct TokenResponseBody: Encodable {
    var access_token: String
    var token_type: String
    var expires_in: Int64
    var refresh_token: String?
    var scope: String?
}

/// The body of an error response (RFC 6749 §5.2).
struct OAuthErrorBody: Encodable {
    var error: String
    var error_description: String
}

enum TokenResponses {
    static let pragma = HTTPFields.Element.Name("Pragma")

    /// Headers RFC 6749 §5.1 requires on responses that carry tokens; error responses get them too.
    static func noStoreHeaders(contentType: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        if let pragma = Self.pragma {
            headers[pragma] = "no-cache"
        }
        return headers
    }

    static func json(
        _ value: some Encodable,
        status: HTTPResponse.Status,
        headers extra: HTTPFields = [:]
    ) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The values are plain strings and integers: encoding cannot fail, but never trap on it.
        let bytes = (try? encoder.encode(value)).map { Array($0) } ?? Array(#"{"error":"server_error"}"#.utf8)
        var headers = Self.noStoreHeaders(contentType: "application/json;charset=UTF-8")
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func raw(_ text: String, status: HTTPResponse.Status, contentType: String, headers extra: HTTPFields = [:])
        -> Response
    {
        var headers = Self.noStoreHeaders(contentType: contentType)
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// An RFC 6749 §5.2 error. The description must not contain a secret.
    static func error(
        _ code: String,
        _ description: String,
        status: HTTPResponse.Status = .badRequest,
        headers: HTTPFields = [:]
    ) -> TokenReply {
        let outcome: ProviderState.Outcome = code == "invalid_grant" ? .invalidGrant : .errorStatus
        let body = OAuthErrorBody(error: code, error_description: description)
        let response = Self.json(body, status: status, headers: headers)
        return TokenReply(response: response, outcome: outcome, code: code)
    }

    /// `invalid_client`: 401 with a Basic challenge when the client tried (or should try) Basic, 400 otherwise.
    static func invalidClient(_ description: String, challenge: Bool) -> TokenReply {
        guard challenge else { return Self.error("invalid_client", description) }
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = #"Basic realm="oauthtop-demo", charset="UTF-8""#
        return Self.error("invalid_client", description, status: .unauthorized, headers: headers)
    }
}

extension BadTokenResponse {
    /// The broken body for this kind, and its content type.
    ///
    /// - Parameters:
    ///   - accessToken: A real, signed access token, used where only another field is wrong.
    ///   - expiresIn: The lifetime a correct response would state.
    func body(accessToken: String, expiresIn: Int64) -> (contentType: String, text: String) {
        let json = "application/json;charset=UTF-8"
        switch self {
        case .html:
            return (
                "text/html;charset=UTF-8",
                "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
                    + "<body><h1>502 Bad Gateway</h1><p>upstream sent an invalid response</p></body></html>\n"
            )
        case .notJSON:
            return (json, "access_token=" + accessToken + "&expires_in=\(expiresIn)&token_type=Bearer")
        case .notObject:
            return (json, #"[{"token_type":"Bearer","expires_in":\#(expiresIn)}]"#)
        case .emptyBody:
            return (json, "")
        case .missingAccessToken:
            return (json, #"{"expires_in":\#(expiresIn),"token_type":"Bearer"}"#)
        case .missingExpiresIn:
            let opaque = "demo_at_" + randomToken(bytes: 24)
            return (json, #"{"access_token":"\#(opaque)","token_type":"Bearer"}"#)
        case .negativeExpiresIn:
            return (json, #"{"access_token":"\#(accessToken)","expires_in":-\#(expiresIn),"token_type":"Bearer"}"#)
        case .absurdExpiresIn:
            return (json, #"{"access_token":"\#(accessToken)","expires_in":315360000,"token_type":"Bearer"}"#)
        case .wrongTokenType:
            return (json, #"{"access_token":"\#(accessToken)","expires_in":\#(expiresIn),"token_type":"mac"}"#)
        default:
            // A kind added later without a body here still answers something broken: a truncated object.
            return (json, #"{"access_token":"#)
        }
    }
}
