import NIOCore

/// Writes a command the way every Redis client sends one: a RESP2 array of bulk strings.
public enum RESPCommandEncoder {
    /// Appends `*N\r\n` and then `$len\r\n<bytes>\r\n` for each argument to `buffer`.
    ///
    /// - Parameters:
    ///   - arguments: The command's name and its arguments.
    ///   - buffer: Where the bytes go.
    public static func encode(_ arguments: [RESPArgument], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("*")
        buffer.writeString(String(arguments.count))
        buffer.writeStaticString("\r\n")
        for argument in arguments {
            buffer.writeStaticString("$")
            buffer.writeString(String(argument.bytes.readableBytes))
            buffer.writeStaticString("\r\n")
            var bytes = argument.bytes
            buffer.writeBuffer(&bytes)
            buffer.writeStaticString("\r\n")
        }
    }

    /// The encoded size of `arguments`, to allocate the buffer once.
    public static func encodedLength(_ arguments: [RESPArgument]) -> Int {
        arguments.reduce(String(arguments.count).utf8.count + 3) { total, argument in
            let length = argument.bytes.readableBytes
            return total + String(length).utf8.count + length + 5
        }
    }
}
