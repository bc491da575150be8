import NIOCore
import RedisClient
import Testing

@Suite struct RESPParserTests {
    /// Parses `text` in one go and checks all of it was used.
    private func parseWhole(_ text: String, limits: RESPParser.Limits = .default) throws -> RESPValue? {
        var parser = RESPParser(limits: limits)
        var buffer = ByteBuffer(string: text)
        let value = try parser.parse(&buffer)
        if value != nil { #expect(buffer.readableBytes == 0) }
        return value
    }

    static let cases: [(String, RESPValue)] = [
        ("+OK\r\n", .simpleString("OK")),
        ("+\r\n", .simpleString("")),
        ("-ERR unknown command 'FOO'\r\n", .error("ERR unknown command 'FOO'")),
        (":0\r\n", .integer(0)),
        (":-42\r\n", .integer(-42)),
        (":9223372036854775807\r\n", .integer(.max)),
        (":-9223372036854775808\r\n", .integer(.min)),
        ("$3\r\nfoo\r\n", .bulkString(ByteBuffer(string: "foo"))),
        ("$0\r\n\r\n", .bulkString(ByteBuffer())),
        ("$4\r\na\r\nb\r\n", .bulkString(ByteBuffer(string: "a\r\nb"))),
        ("$-1\r\n", .bulkString(nil)),
        ("*0\r\n", .array([])),
        ("*-1\r\n", .array(nil)),
        (
            "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$-1\r\n",
            .array([
                .bulkString(ByteBuffer(string: "message")), .bulkString(ByteBuffer(string: "ch")), .bulkString(nil),
            ])
        ),
        ("*2\r\n*1\r\n:1\r\n*-1\r\n", .array([.array([.integer(1)]), .array(nil)])),
        ("*2\r\n+OK\r\n-NOSCRIPT x\r\n", .array([.simpleString("OK"), .error("NOSCRIPT x")])),
    ]

    @Test(arguments: Self.cases)
    func decodesEveryType(_ text: String, _ expected: RESPValue) throws {
        #expect(try self.parseWhole(text) == expected)
    }

    @Test(arguments: Self.cases)
    func decodesByteByByte(_ text: String, _ expected: RESPValue) throws {
        var parser = RESPParser()
        var buffer = ByteBuffer()
        let bytes = Array(text.utf8)
        for (index, byte) in bytes.enumerated() {
            buffer.writeInteger(byte)
            let value = try parser.parse(&buffer)
            if index < bytes.count - 1 {
                #expect(value == nil, "a value after \(index + 1) of \(bytes.count) bytes")
            } else {
                #expect(value == expected)
            }
        }
        #expect(buffer.readableBytes == 0)
        #expect(parser.consumed == bytes.count)
    }

    @Test func decodesPipelinedRepliesInOrderAndCountsOffsets() throws {
        var parser = RESPParser()
        var buffer = ByteBuffer(string: "+OK\r\n:1\r\n$1\r\nx\r\n$2\r\nab")
        #expect(try parser.parse(&buffer) == .simpleString("OK"))
        #expect(try parser.parse(&buffer) == .integer(1))
        #expect(try parser.parse(&buffer) == .bulkString(ByteBuffer(string: "x")))
        #expect(try parser.parse(&buffer) == nil)
        #expect(parser.consumed == 16)
        buffer.writeString("\r\n")
        #expect(try parser.parse(&buffer) == .bulkString(ByteBuffer(string: "ab")))
    }

    @Test func accessorsReadTheValue() {
        #expect(RESPValue.bulkString(ByteBuffer(string: "12")).int == 12)
        #expect(RESPValue.simpleString("PONG").string == "PONG")
        #expect(RESPValue.bulkString(nil).isNull)
        #expect(RESPValue.array(nil).isNull)
        #expect(RESPValue.integer(3).string == nil)
        #expect(RESPValue.array([.integer(1)]).array == [.integer(1)])
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var input: String
        var code: String
        var offset: Int
        var testDescription: String { self.code }
    }

    static let malformed: [Malformed] = [
        Malformed(input: "?x\r\n", code: "unknown_type", offset: 0),
        Malformed(input: "+OK\r\n!", code: "unknown_type", offset: 5),
        Malformed(input: ":12a\r\n", code: "malformed_integer", offset: 1),
        Malformed(input: ":\r\n", code: "malformed_integer", offset: 1),
        Malformed(input: ":99999999999999999999\r\n", code: "malformed_integer", offset: 1),
        Malformed(input: ":9223372036854775808\r\n", code: "malformed_integer", offset: 1),
        Malformed(input: "$-2\r\n", code: "invalid_length", offset: 1),
        Malformed(input: "*-5\r\n", code: "invalid_length", offset: 1),
        Malformed(input: "+OK\rX", code: "missing_line_feed", offset: 4),
        Malformed(input: "$3\r\nfooXY", code: "missing_terminator", offset: 7),
        Malformed(input: "*2\r\n:1\r\n?", code: "unknown_type", offset: 8),
        Malformed(input: "*1\r\n$2\r\nab\r\r", code: "missing_terminator", offset: 10),
    ]

    @Test(arguments: Self.malformed)
    func rejectsMalformedInputWithItsOffset(_ malformed: Malformed) {
        var parser = RESPParser()
        var buffer = ByteBuffer(string: malformed.input)
        // Earlier complete values are consumed first; the error comes at the bad one.
        let error = #expect(throws: RESPParseError.self) {
            while try parser.parse(&buffer) != nil {}
        }
        #expect(error?.shortCode == malformed.code)
        #expect(error?.offset == malformed.offset)
        #expect(error?.description.contains("at byte offset \(malformed.offset)") == true)
    }

    @Test func enforcesLimits() {
        let limits = RESPParser.Limits(maxDepth: 2, maxBulkLength: 4, maxArrayCount: 3, maxLineLength: 8)
        let expectations: [(String, String)] = [
            ("$5\r\n", "bulk_too_long"),
            ("*4\r\n", "array_too_long"),
            ("*1\r\n*1\r\n*1\r\n:1\r\n", "nesting_too_deep"),
            ("+123456789", "line_too_long"),
            (":1234567890123\r\n", "line_too_long"),
        ]
        for (input, code) in expectations {
            var parser = RESPParser(limits: limits)
            var buffer = ByteBuffer(string: input)
            let error = #expect(throws: RESPParseError.self, "\(input.debugDescription)") {
                _ = try parser.parse(&buffer)
            }
            #expect(error?.shortCode == code, "\(input.debugDescription)")
        }
        var parser = RESPParser(limits: limits)
        var buffer = ByteBuffer(string: "*2\r\n*1\r\n$4\r\nabcd\r\n+12345678\r\n")
        #expect(throws: Never.self) { _ = try parser.parse(&buffer) }
    }

    @Test func aHugeDeclaredLengthWaitsWithoutAllocating() throws {
        var parser = RESPParser()
        var buffer = ByteBuffer(string: "$67108864\r\nabc")
        #expect(try parser.parse(&buffer) == nil)
        var arrays = ByteBuffer(string: "*1048576\r\n:1\r\n")
        #expect(try parser.parse(&arrays) == nil)
    }

    @Test func errorsNeverQuoteThePayload() {
        var parser = RESPParser()
        var buffer = ByteBuffer(string: "$6\r\nsecretXX")
        let error = #expect(throws: RESPParseError.self) { _ = try parser.parse(&buffer) }
        #expect(error?.description.contains("secret") == false)
    }

    @Test func encoderWritesArraysOfBulkStrings() {
        var buffer = ByteBuffer()
        let arguments: [RESPArgument] = ["SET", "k", RESPArgument(ByteBuffer(string: "v\r\n")), 30]
        RESPCommandEncoder.encode(arguments, into: &buffer)
        #expect(String(buffer: buffer) == "*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r\n\r\n$2\r\n30\r\n")
        #expect(RESPCommandEncoder.encodedLength(arguments) == buffer.readableBytes)
        var parser = RESPParser()
        #expect(throws: Never.self) { _ = try parser.parse(&buffer) }
    }
}
