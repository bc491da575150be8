import Primitives

/// Why a request to the demo API is malformed: what was wrong and where (the field or parameter), never the
/// value of a prompt.
public struct DemoAPIRequestError: Error, Hashable, CustomStringConvertible {
    /// What went wrong and where.
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}

/// The body of `POST /api/v1/complete`: a JSON object with a string `model` and a string `prompt`; other
/// members (`max_tokens`, `stream`...) are ignored.
public struct DemoCompletionRequest: Sendable, Hashable {
    /// The model asked for.
    public var model: String
    /// The prompt. Never logged or echoed.
    public var prompt: String

    /// The longest model name accepted.
    public static let maximumModelLength = 128

    /// Parses a body.
    ///
    /// - Throws: ``DemoAPIRequestError`` naming the member at fault.
    public static func parse(_ body: some Collection<UInt8>) throws(DemoAPIRequestError) -> DemoCompletionRequest {
        let document: JSONValue
        do {
            document = try JSONValue.decode(body)
        } catch {
            throw DemoAPIRequestError("the body is not JSON")
        }
        guard let object = document.object else {
            throw DemoAPIRequestError("the body must be a JSON object, found \(document.kind)")
        }
        guard let modelValue = object["model"] else {
            throw DemoAPIRequestError("'model' is missing")
        }
        guard let model = modelValue.string else {
            throw DemoAPIRequestError("'model' must be a string, found \(modelValue.kind)")
        }
        guard !model.isEmpty, model.utf8.count <= Self.maximumModelLength,
            model.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
        else {
            throw DemoAPIRequestError(
                "'model' must be 1 to \(Self.maximumModelLength) bytes without control characters"
            )
        }
        guard let promptValue = object["prompt"] else {
            throw DemoAPIRequestError("'prompt' is missing")
        }
        guard let prompt = promptValue.string else {
            // The kind only (an array, a number), never the value: prompts are the client's data.
            throw DemoAPIRequestError("'prompt' must be a string, found \(promptValue.kindWithoutValue)")
        }
        return DemoCompletionRequest(model: model, prompt: prompt)
    }
}

/// The query of `GET /api/v1/stream`: `events` (how many, default 5) and `interval_ms` (between two,
/// default 100). Other parameters are ignored.
public struct DemoStreamRequest: Sendable, Hashable {
    public var events: Int
    public var interval: Duration

    /// Parses a query string (without the `?`).
    ///
    /// - Parameters:
    ///   - query: The form-encoded query.
    ///   - maximumEvents: The most events allowed.
    ///   - maximumInterval: The longest interval allowed.
    /// - Throws: ``DemoAPIRequestError`` naming the parameter at fault.
    public static func parse(
        query: String, maximumEvents: Int = 1000, maximumInterval: Duration = .seconds(10)
    ) throws(DemoAPIRequestError) -> DemoStreamRequest {
        guard let form = FormParameters.parse(query.utf8) else {
            throw DemoAPIRequestError("the query is not valid form-urlencoded UTF-8")
        }
        if let repeated = form.repeated {
            throw DemoAPIRequestError("the parameter '\(repeated.prefix(40))' appears more than once")
        }
        let events = try Self.integer(form, "events", default: 5, in: 1...max(1, maximumEvents))
        let milliseconds = try Self.integer(
            form, "interval_ms", default: 100, in: 0...max(0, Int(maximumInterval.milliseconds))
        )
        return DemoStreamRequest(events: events, interval: .milliseconds(milliseconds))
    }

    private static func integer(_ form: FormParameters, _ name: String, default value: Int, in range: ClosedRange<Int>)
        throws(DemoAPIRequestError) -> Int
    {
        guard let text = form[name] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw DemoAPIRequestError(
                "the parameter '\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound), "
                    + "found '\(text.prefix(20))'"
            )
        }
        return number
    }
}

extension JSONValue {
    /// What the value is without showing it: `a string`, `a number`, `an object`.
    var kindWithoutValue: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
