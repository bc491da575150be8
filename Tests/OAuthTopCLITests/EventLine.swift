import Foundation
import Primitives

/// One line of `oauthtop`'s event stream: a JSON object with at least `ts` and `event`.
struct EventLine: Sendable, CustomStringConvertible {
    let raw: String
    let fields: [String: JSONValue]
    /// The `event` field.
    let event: String
    /// The `ts` field, an RFC 3339 time with milliseconds.
    let timestamp: Date

    /// Parses a line; throws with the line itself when it is not an event object.
    init(parsing line: String) throws {
        self.raw = line
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
        } catch {
            throw CLITestFailure("stdout line is not JSON: \(line)")
        }
        guard case .object(let fields) = value else {
            throw CLITestFailure("stdout line is not a JSON object: \(line)")
        }
        guard case .string(let event) = fields["event"] else {
            throw CLITestFailure("stdout line has no string \"event\": \(line)")
        }
        guard case .string(let ts) = fields["ts"] else {
            throw CLITestFailure("stdout line has no string \"ts\": \(line)")
        }
        guard let timestamp = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(ts) else {
            throw CLITestFailure("\"ts\" is not an RFC 3339 time with milliseconds: \(line)")
        }
        self.fields = fields
        self.event = event
        self.timestamp = timestamp
    }

    func string(_ key: String) -> String? {
        if case .string(let text) = self.fields[key] { return text }
        return nil
    }

    func number(_ key: String) -> Double? {
        if case .number(let number) = self.fields[key] { return number }
        return nil
    }

    func bool(_ key: String) -> Bool? {
        if case .bool(let flag) = self.fields[key] { return flag }
        return nil
    }

    var description: String { self.raw }
}
