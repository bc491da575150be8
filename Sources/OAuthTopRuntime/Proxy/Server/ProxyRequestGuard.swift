import Primitives

/// Decides whether a request may be forwarded at all: the proxy forwards only to its configured upstream,
/// so every request target that could name another host or escape the upstream's base path is refused.
///
/// Works on the request line as received (method and raw request-target, before any normalisation):
/// - `CONNECT` and `TRACE` get 405;
/// - only origin-form targets (`/path?query`) pass: absolute-form (`http://host/...`), authority-form
///   (`host:443`) and asterisk-form (`*`) get 400;
/// - a path with a `.` or `..` segment (also written `%2e`/`%2E`), an encoded slash or backslash (`%2f`,
///   `%5c`), an encoded NUL, a backslash, a fragment, a control character, a space or a non-ASCII byte gets
///   400, as does a `%` not followed by two hex digits.
///
/// Pure and allocation-light; fuzzed by `FuzzProxyRequest`.
public enum ProxyRequestGuard {
    /// Why a request is refused: the status and an OAuth-style error code and description.
    public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        public var status: Int
        public var error: String
        public var description: String

        static func badTarget(_ why: String) -> Refusal {
            Refusal(status: 400, error: "invalid_request", description: why)
        }
    }

    /// A target that may be forwarded: the path and the query (without `?`), both as received.
    public struct Target: Sendable, Hashable {
        public var path: Substring
        public var query: Substring?

        /// `path?query`, as the upstream request's target under the base path.
        public var originForm: String {
            self.query.map { "\(self.path)?\($0)" } ?? String(self.path)
        }
    }

    /// Checks the request line.
    ///
    /// - Parameters:
    ///   - method: The method as received (`GET`, `CONNECT` ...).
    ///   - target: The raw request-target.
    /// - Returns: The target split into path and query, or why it is refused.
    public static func check(method: String, target: String) -> Result<Target, Refusal> {
        // (Compared in place: `uppercased()` made a string for every request.)
        if method.equalsIgnoringASCIICase("CONNECT") {
            return .failure(
                Refusal(status: 405, error: "method_not_allowed", description: "CONNECT is refused: this is not a forward proxy")
            )
        }
        if method.equalsIgnoringASCIICase("TRACE") {
            return .failure(Refusal(status: 405, error: "method_not_allowed", description: "TRACE is refused"))
        }
        guard let first = target.utf8.first else { return .failure(.badTarget("the request target is empty")) }
        guard first == UInt8(ascii: "/") else {
            if target == "*" { return .failure(.badTarget("asterisk-form request targets are refused")) }
            return .failure(
                .badTarget("only origin-form request targets (/path) are forwarded; absolute-form and authority-form are refused")
            )
        }
        for byte in target.utf8 {
            if byte < 0x21 || byte >= 0x7F {
                return .failure(.badTarget("the request target has a control character, a space or a non-ASCII byte"))
            }
            if byte == UInt8(ascii: "\\") { return .failure(.badTarget("the request target has a backslash")) }
            if byte == UInt8(ascii: "#") { return .failure(.badTarget("the request target has a fragment")) }
        }
        let path: Substring
        let query: Substring?
        if let mark = target.firstIndex(of: "?") {
            path = target[..<mark]
            query = target[target.index(after: mark)...]
        } else {
            path = Substring(target)
            query = nil
        }
        if let problem = self.pathProblem(path) { return .failure(.badTarget(problem)) }
        if let query, !self.percentEncodingIsValid(query) {
            return .failure(.badTarget("the query has a '%' not followed by two hex digits"))
        }
        return .success(Target(path: path, query: query))
    }

    /// Why `path` could escape the base path, or `nil`.
    private static func pathProblem(_ path: Substring) -> String? {
        guard self.percentEncodingIsValid(path) else { return "the path has a '%' not followed by two hex digits" }
        let bytes = Array(path.utf8)
        var index = 0
        // The current segment's decoded length, and whether it is dots only (`.` and `..` are refused).
        var segmentLength = 0
        var onlyDots = true
        while index <= bytes.count {
            let byte: UInt8 = index < bytes.count ? bytes[index] : UInt8(ascii: "/")
            if byte == UInt8(ascii: "/") {
                if onlyDots, segmentLength == 1 || segmentLength == 2 {
                    return "the path has a '.' or '..' segment (also percent-encoded), which could leave the upstream's base path"
                }
                segmentLength = 0
                onlyDots = true
                index += 1
                continue
            }
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count {
                let decoded = (Hex.digitValue(bytes[index + 1]) ?? 0) << 4 | (Hex.digitValue(bytes[index + 2]) ?? 0)
                switch decoded {
                case UInt8(ascii: "/"), UInt8(ascii: "\\"):
                    return "the path has an encoded slash or backslash (%2F, %5C)"
                case 0:
                    return "the path has an encoded NUL (%00)"
                default:
                    segmentLength += 1
                    onlyDots = onlyDots && decoded == 0x2E
                }
                index += 3
                continue
            }
            segmentLength += 1
            onlyDots = onlyDots && byte == 0x2E
            index += 1
        }
        return nil
    }

    /// Whether every `%` is followed by two hex digits.
    private static func percentEncodingIsValid(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, Hex.digitValue(bytes[index + 1]) != nil, Hex.digitValue(bytes[index + 2]) != nil
                else { return false }
                index += 3
            } else {
                index += 1
            }
        }
        return true
    }
}
