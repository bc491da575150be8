import NIOCore
import RedisClient

/// Feeds bytes to the RESP2 reply parser, once whole and once in chunks (sized by the first byte), and
/// checks both readings agree: the same values, then the same error at the same offset or the same
/// incomplete tail. The same bytes, as text, go to the Redis URL parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRESP(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let limits = RESPParser.Limits(maxDepth: 8, maxBulkLength: 1 << 16, maxArrayCount: 1 << 10, maxLineLength: 1 << 10)

    let whole = read(bytes, chunk: max(bytes.count, 1), limits: limits)
    let chunk = Int(bytes.first ?? 1) % 7 + 1
    let chunked = read(bytes, chunk: chunk, limits: limits)
    precondition(whole.values == chunked.values, "chunked reading decoded different values")
    precondition(whole.error == chunked.error, "chunked reading failed differently")
    if whole.error == nil { precondition(whole.consumed + whole.left == bytes.count, "bytes lost") }

    _ = try? RedisConfiguration(url: String(decoding: bytes, as: UTF8.self))
    return 0
}

private struct Reading {
    var values: [RESPValue] = []
    var error: RESPParseError?
    var consumed = 0
    var left = 0
}

private func read(_ bytes: [UInt8], chunk: Int, limits: RESPParser.Limits) -> Reading {
    var parser = RESPParser(limits: limits)
    var buffer = ByteBuffer()
    var reading = Reading()
    var index = 0
    while index < bytes.count {
        let end = min(index + chunk, bytes.count)
        buffer.writeBytes(bytes[index..<end])
        index = end
        do {
            while let value = try parser.parse(&buffer) { reading.values.append(value) }
        } catch let error as RESPParseError {
            reading.error = error
            break
        } catch {
            preconditionFailure("the parser threw something other than RESPParseError: \(error)")
        }
    }
    reading.consumed = parser.consumed
    reading.left = buffer.readableBytes
    return reading
}
