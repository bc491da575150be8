/// A `HOST:PORT` to listen on, as given to `--listen`.
///
/// Accepted forms: `127.0.0.1:9464`, `localhost:9464`, `[::1]:9464`, and `:9464`, which means
/// `127.0.0.1:9464` (loopback, never every interface). Port 0 asks the system for a free port.
public struct ListenAddress: Hashable, Sendable, CustomStringConvertible {
    /// The default address of the `/metrics` listener: `127.0.0.1:9464`.
    public static let defaultMetrics = ListenAddress(host: "127.0.0.1", port: 9464)

    /// A host name or IP address, without brackets.
    public var host: String
    /// The TCP port; 0 for any free port.
    public var port: Int

    /// Creates an address from its parts.
    ///
    /// - Parameters:
    ///   - host: A host name or IP address, without brackets.
    ///   - port: The TCP port; 0 for any free port.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`.
    ///
    /// - Parameter text: The text, e.g. `127.0.0.1:9464`, `[::1]:9464` or `:9464`.
    /// - Throws: ``ListenAddressError`` saying what is wrong with the text.
    public init(parsing text: String) throws(ListenAddressError) {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty(input: text) }
        let host: Substring
        let portText: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else {
                throw .invalidHost(input: text, host: String(trimmed))
            }
            host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .missingPort(input: text) }
            portText = rest.dropFirst()
            guard host.contains(":"), host.allSatisfy(Self.isIPv6Character) else {
                throw .invalidHost(input: text, host: String(host))
            }
        } else {
            guard let colon = trimmed.lastIndex(of: ":") else { throw .missingPort(input: text) }
            host = trimmed[..<colon]
            portText = trimmed[trimmed.index(after: colon)...]
            guard !host.contains(":") else { throw .unbracketedIPv6(input: text) }
            guard host.allSatisfy(Self.isHostNameCharacter), !host.hasPrefix("-"), !host.hasPrefix(".") else {
                throw .invalidHost(input: text, host: String(host))
            }
        }
        guard !portText.isEmpty else { throw .missingPort(input: text) }
        guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), portText.count <= 5,
            let port = Int(portText), port <= 65535
        else {
            throw .invalidPort(input: text, port: String(portText))
        }
        self.init(host: host.isEmpty ? "127.0.0.1" : String(host), port: port)
    }

    /// `HOST:PORT`, with brackets around an IPv6 host.
    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }

    private static func isHostNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "." || character == "-")
    }

    private static func isIPv6Character(_ character: Character) -> Bool {
        character.isASCII && (character.isHexDigit || character == ":" || character == ".")
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        var result = self[...]
        while let first = result.first, first.isWhitespace {
            result.removeFirst()
        }
        while let last = result.last, last.isWhitespace {
            result.removeLast()
        }
        return result
    }
}
