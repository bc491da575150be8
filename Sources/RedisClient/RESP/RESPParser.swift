import NIOCore

/// A streaming RESP2 decoder: it takes one complete value off the front of a buffer, or says that more
/// bytes are needed.
///
/// ``parse(_:)`` either consumes exactly one value's bytes and returns it, returns `nil` and leaves the
/// buffer untouched when the value is not complete yet (the caller appends the next read and calls
/// again), or throws a ``RESPParseError`` naming what is wrong and at which byte offset of the stream.
/// A parse that needs more bytes starts over from the value's first byte on the next call, which keeps
/// the parser free of partial state; replies to the commands oauthtop sends are small.
///
/// Input is outside input: lengths, counts and nesting are bounded by ``Limits``, integers are parsed
/// without trapping arithmetic, and nothing is allocated in proportion to a length before its bytes
/// have arrived.
public struct RESPParser: Sendable {
    /// Bounds on what one reply may contain.
    public struct Limits: Sendable, Hashable {
        /// The deepest nesting of arrays (an array of arrays is depth 2).
        public var maxDepth: Int
        /// The longest bulk string, in bytes.
        public var maxBulkLength: Int
        /// The most elements in one array.
        public var maxArrayCount: Int
        /// The longest simple string, error or integer line, in bytes (without `\r\n`).
        public var maxLineLength: Int

        public init(
            maxDepth: Int = 32, maxBulkLength: Int = 64 << 20, maxArrayCount: Int = 1 << 20,
            maxLineLength: Int = 64 << 10
        ) {
            self.maxDepth = maxDepth
            self.maxBulkLength = maxBulkLength
            self.maxArrayCount = maxArrayCount
            self.maxLineLength = maxLineLength
        }

        /// 32 levels, 64 MiB bulk strings, 1,048,576 elements per array, 64 KiB lines.
        public static let `default` = Limits()
    }

    /// The bounds this parser enforces.
    public var limits: Limits
    /// How many bytes of the stream complete values have used so far: the base of error offsets.
    public private(set) var consumed: Int = 0

    public init(limits: Limits = .default) {
        self.limits = limits
    }

    /// Takes one complete value off the front of `buffer`.
    ///
    /// - Parameter buffer: The bytes received so far; on success its reader index moves past the value.
    /// - Returns: The value, or `nil` when `buffer` holds only part of one (the buffer is left as it was).
    /// - Throws: ``RESPParseError`` when the bytes are not RESP2 or exceed ``limits``.
    public mutating func parse(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        let cursor = Cursor(buffer: buffer, base: self.consumed, limits: self.limits)
        guard let (value, end) = try cursor.value(at: buffer.readerIndex, depth: 0) else { return nil }
        let length = end - buffer.readerIndex
        buffer.moveReaderIndex(forwardBy: length)
        self.consumed = self.consumed.addingReportingOverflow(length).partialValue
        return value
    }
}

/// Reads values at absolute indices of one buffer without consuming it.
private struct Cursor {
    let buffer: ByteBuffer
    let base: Int
    let limits: RESPParser.Limits

    /// The stream offset of the buffer index `index`.
    func offset(_ index: Int) -> Int { self.base &+ (index &- self.buffer.readerIndex) }

    func byte(at index: Int) -> UInt8? {
        index < self.buffer.writerIndex ? self.buffer.getInteger(at: index, as: UInt8.self) : nil
    }

    /// The value starting at `index` and the index just past it, or `nil` when incomplete.
    func value(at index: Int, depth: Int) throws -> (RESPValue, Int)? {
        guard let type = self.byte(at: index) else { return nil }
        let lineStart = index + 1
        switch type {
        case UInt8(ascii: "+"):
            guard let (line, next) = try self.line(at: lineStart) else { return nil }
            return (.simpleString(String(decoding: line, as: UTF8.self)), next)
        case UInt8(ascii: "-"):
            guard let (line, next) = try self.line(at: lineStart) else { return nil }
            return (.error(String(decoding: line, as: UTF8.self)), next)
        case UInt8(ascii: ":"):
            guard let (number, next) = try self.integer(at: lineStart) else { return nil }
            return (.integer(number), next)
        case UInt8(ascii: "$"):
            guard let (length, next) = try self.integer(at: lineStart) else { return nil }
            if length == -1 { return (.bulkString(nil), next) }
            guard length >= 0 else { throw RESPParseError.invalidLength(length, offset: self.offset(lineStart)) }
            guard length <= Int64(self.limits.maxBulkLength) else {
                throw RESPParseError.bulkTooLong(
                    length, limit: self.limits.maxBulkLength, offset: self.offset(lineStart))
            }
            let count = Int(length)
            // Compared against what has arrived before adding, so no length can overflow an index.
            guard count <= self.buffer.writerIndex - next - 2 else { return nil }
            let terminator = next + count
            guard self.byte(at: terminator) == UInt8(ascii: "\r"), self.byte(at: terminator + 1) == UInt8(ascii: "\n")
            else { throw RESPParseError.missingTerminator(offset: self.offset(terminator)) }
            guard let slice = self.buffer.getSlice(at: next, length: count) else { return nil }
            return (.bulkString(slice), terminator + 2)
        case UInt8(ascii: "*"):
            guard let (count, next) = try self.integer(at: lineStart) else { return nil }
            if count == -1 { return (.array(nil), next) }
            guard count >= 0 else { throw RESPParseError.invalidLength(count, offset: self.offset(lineStart)) }
            guard count <= Int64(self.limits.maxArrayCount) else {
                throw RESPParseError.arrayTooLong(
                    count, limit: self.limits.maxArrayCount, offset: self.offset(lineStart))
            }
            guard depth < self.limits.maxDepth else {
                throw RESPParseError.nestingTooDeep(limit: self.limits.maxDepth, offset: self.offset(index))
            }
            var elements: [RESPValue] = []
            elements.reserveCapacity(min(Int(count), 1024))
            var position = next
            for _ in 0..<Int(count) {
                guard let (element, after) = try self.value(at: position, depth: depth + 1) else { return nil }
                elements.append(element)
                position = after
            }
            return (.array(elements), position)
        default:
            throw RESPParseError.unknownType(type, offset: self.offset(index))
        }
    }

    /// The bytes of the line starting at `index` (without `\r\n`) and the index after its `\r\n`.
    func line(at index: Int) throws -> ([UInt8], Int)? {
        var position = index
        while let byte = self.byte(at: position) {
            if byte == UInt8(ascii: "\r") {
                guard let next = self.byte(at: position + 1) else { return nil }
                guard next == UInt8(ascii: "\n") else {
                    throw RESPParseError.missingLineFeed(offset: self.offset(position + 1))
                }
                let bytes = self.buffer.getBytes(at: index, length: position - index) ?? []
                return (bytes, position + 2)
            }
            if position - index >= self.limits.maxLineLength {
                throw RESPParseError.lineTooLong(limit: self.limits.maxLineLength, offset: self.offset(index))
            }
            position += 1
        }
        return nil
    }

    /// A decimal integer line (`-1`, `42`) starting at `index`, and the index after its `\r\n`.
    func integer(at index: Int) throws -> (Int64, Int)? {
        guard let (bytes, next) = try self.line(at: index) else { return nil }
        guard let value = Self.decimal(bytes) else { throw RESPParseError.malformedInteger(offset: self.offset(index)) }
        return (value, next)
    }

    /// `-?[0-9]+` within `Int64`, or `nil`.
    static func decimal(_ bytes: [UInt8]) -> Int64? {
        var digits = bytes[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) =
                negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }
}
