import Foundation
import TokenManager

/// The JSON inside a sealed state: a ``FleetToken`` with plain field names.
///
/// Why it exists: the stored format must stay readable across versions, apart from the in-memory type;
/// times are Unix nanoseconds as integers, so nothing is lost to floating point.
struct FleetStateDocument: Codable, Sendable {
    var accessToken: String
    var tokenType: String
    var expiresAt: Int64
    var issuedAt: Int64
    var refreshToken: String?
    var scope: String?
    var endpoint: String?
    var generation: UInt64
    var refreshedBy: String

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresAt = "expires_at"
        case issuedAt = "issued_at"
        case refreshToken = "refresh_token"
        case scope, endpoint, generation
        case refreshedBy = "refreshed_by"
    }

    init(_ token: FleetToken) {
        self.accessToken = token.accessToken.revealed
        self.tokenType = token.tokenType
        self.expiresAt = token.expiresAt
        self.issuedAt = token.issuedAt
        self.refreshToken = token.refreshToken?.revealed
        self.scope = token.scope
        self.endpoint = token.endpoint
        self.generation = token.generation
        self.refreshedBy = token.refreshedBy
    }

    var token: FleetToken {
        FleetToken(
            accessToken: Secret(self.accessToken), tokenType: self.tokenType, expiresAt: self.expiresAt,
            issuedAt: self.issuedAt, refreshToken: self.refreshToken.map(Secret.init), scope: self.scope,
            endpoint: self.endpoint, generation: self.generation, refreshedBy: self.refreshedBy
        )
    }

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    /// What is wrong with a document, naming fields, never values.
    struct Problem: Error {
        let detail: String
    }

    /// Decodes the JSON of an opened state.
    ///
    /// - Returns: The document, or a description of what is wrong that names fields, never values.
    static func decode(_ bytes: [UInt8]) -> Result<FleetStateDocument, Problem> {
        let document: FleetStateDocument
        do {
            document = try JSONDecoder().decode(FleetStateDocument.self, from: Data(bytes))
        } catch let error as DecodingError {
            return .failure(Problem(detail: Self.describe(error)))
        } catch {
            return .failure(Problem(detail: "not valid JSON"))
        }
        guard !document.accessToken.isEmpty else { return .failure(Problem(detail: "field 'access_token' is empty")) }
        guard !document.tokenType.isEmpty else { return .failure(Problem(detail: "field 'token_type' is empty")) }
        return .success(document)
    }

    /// What a decoding error says, by field path only (a value may be a secret).
    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let names = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return names.isEmpty ? "the document" : "field '\(names.joined(separator: "."))'"
        }
        switch error {
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch(let type, let context): return "\(path(context)) is not \(Self.name(of: type))"
        case .valueNotFound(let type, let context): return "\(path(context)) is null, expected \(Self.name(of: type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context)) has an invalid value"
        @unknown default: return "not a token state"
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int64.Type, is UInt64.Type: "an integer"
        default: "of the right type"
        }
    }
}
