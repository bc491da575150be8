/// The permission bits of a file oauthtop writes (a token file, a sink), parsed from the octal string
/// a configuration gives.
///
/// Why it exists: a mode is octal by convention, and a parser that reads `"0640"` or `640` as the
/// decimal number 640 (Vault Agent's sink `mode` did) sets permissions nobody asked for. Here a mode
/// must be written with a leading `0` (`"0600"`, `"0640"`, or `0o640`): digits without it are refused
/// as decimal-looking, not guessed at. Only the permission bits (at most `0777`) are accepted; the
/// setuid, setgid and sticky bits mean nothing for a token file.
public struct FileMode: Sendable, Hashable, CustomStringConvertible {
    /// The permission bits, `0o000` to `0o777`.
    public let permissions: UInt32

    /// `0600`: the owner reads and writes, nobody else has access; the default of every token file.
    public static let ownerReadWrite = FileMode(unchecked: 0o600)

    private init(unchecked permissions: UInt32) { self.permissions = permissions }

    /// A mode from permission bits.
    ///
    /// - Returns: `nil` when `permissions` has bits beyond `0o777`.
    public init?(permissions: UInt32) {
        guard permissions <= 0o777 else { return nil }
        self.permissions = permissions
    }

    /// Parses an octal mode string: `0` followed by three octal digits (`"0600"`), or `0o` followed by
    /// them (`"0o600"`).
    ///
    /// - Throws: ``FileModeError`` saying why `text` is not such a mode (decimal-looking, not octal,
    ///   special bits, empty).
    public init(parsing text: String) throws(FileModeError) {
        let scalars = Array(text.unicodeScalars)
        guard !scalars.isEmpty else { throw .empty }
        let digits: ArraySlice<Unicode.Scalar>
        if scalars.count > 2, scalars[0] == "0", scalars[1] == "o" || scalars[1] == "O" {
            digits = scalars[2...]
        } else if scalars[0] == "0", scalars.count > 1 {
            digits = scalars[1...]
        } else if scalars.count > 1, scalars.allSatisfy({ ("0"..."9").contains($0) }) {
            throw .decimalLooking(text)
        } else {
            throw .notOctal(text)
        }
        guard !digits.isEmpty, digits.allSatisfy({ ("0"..."7").contains($0) }) else { throw .notOctal(text) }
        // Leading zeros beyond the prefix are harmless ("00640"), up to four digits as chmod writes them.
        guard digits.count <= 4 else { throw .outOfRange(text) }
        let value = digits.reduce(UInt32(0)) { $0 * 8 + ($1.value - 48) }
        guard value <= 0o777 else { throw .specialBits(text) }
        self.permissions = value
    }

    /// Whether users other than the owner and the group may read the file.
    public var isWorldReadable: Bool { self.permissions & 0o004 != 0 }

    /// Whether anyone but the owner may write the file.
    public var isWritableByOthers: Bool { self.permissions & 0o022 != 0 }

    /// Whether the owner itself may read the file.
    public var ownerCanRead: Bool { self.permissions & 0o400 != 0 }

    /// The mode as written in a configuration: `0` and three octal digits, e.g. `0640`.
    public var description: String {
        let digits = String(self.permissions, radix: 8)
        return "0" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }
}

/// A file mode string could not be parsed.
public struct FileModeError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case empty
        case decimalLooking
        case notOctal
        case outOfRange
        case specialBits
    }

    private let code: Code
    /// The text as given.
    public let text: String

    private init(_ code: Code, _ text: String) {
        self.code = code
        self.text = text
    }

    static let empty = FileModeError(.empty, "")
    static func decimalLooking(_ text: String) -> FileModeError { FileModeError(.decimalLooking, text) }
    static func notOctal(_ text: String) -> FileModeError { FileModeError(.notOctal, text) }
    static func outOfRange(_ text: String) -> FileModeError { FileModeError(.outOfRange, text) }
    static func specialBits(_ text: String) -> FileModeError { FileModeError(.specialBits, text) }

    public var description: String {
        switch self.code {
        case .empty:
            "a file mode must not be empty; write it as an octal string such as \"0600\""
        case .decimalLooking:
            "file mode \"\(self.text)\" looks decimal; write it in octal with a leading 0"
                + (self.text.allSatisfy { ("0"..."7").contains($0) }
                    ? " (\"0\(self.text)\" if that is what you meant)" : "")
                + ", e.g. \"0600\""
        case .notOctal:
            "file mode \"\(self.text)\" is not an octal number; write it like \"0600\" or \"0640\""
        case .outOfRange:
            "file mode \"\(self.text)\" is out of range; a mode is at most \"0777\""
        case .specialBits:
            "file mode \"\(self.text)\" sets setuid, setgid or sticky bits, which a token file must not have; "
                + "use at most \"0777\""
        }
    }
}
