/// A token endpoint of a provider with its most recent outcomes, oldest first, for the detail view.
public struct EndpointRow: Sendable, Hashable, Codable {
    /// One request's outcome.
    public struct Outcome: Sendable, Hashable, Codable {
        /// When it ended (Unix nanoseconds).
        public var time: Int64
        public var succeeded: Bool
        /// The failure's short code (`http_503`, `timeout`), or empty on success.
        public var code: String
        /// How long the request took, when known.
        public var durationMilliseconds: Double?

        /// Creates an outcome.
        public init(time: Int64, succeeded: Bool, code: String = "", durationMilliseconds: Double? = nil) {
            self.time = time
            self.succeeded = succeeded
            self.code = code
            self.durationMilliseconds = durationMilliseconds
        }

        enum CodingKeys: String, CodingKey { case time, succeeded, code, durationMilliseconds }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.time = try container.decodeIfPresent(Int64.self, forKey: .time) ?? 0
            self.succeeded = try container.decodeIfPresent(Bool.self, forKey: .succeeded) ?? false
            self.code = try container.decodeIfPresent(String.self, forKey: .code) ?? ""
            self.durationMilliseconds = try container.decodeIfPresent(Double.self, forKey: .durationMilliseconds)
        }
    }

    /// The endpoint's URL.
    public var url: String
    /// Recent outcomes, oldest first (bounded by the program that keeps them).
    public var outcomes: [Outcome]

    /// Creates a row.
    public init(url: String, outcomes: [Outcome] = []) {
        self.url = url
        self.outcomes = outcomes
    }

    enum CodingKeys: String, CodingKey { case url, outcomes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.url = try container.decodeIfPresent(String.self, forKey: .url) ?? ""
        self.outcomes = try container.decodeIfPresent([Outcome].self, forKey: .outcomes) ?? []
    }
}
