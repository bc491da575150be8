import Primitives

/// Feeds bytes to the octal mode parser of sinks (`mode: "0640"`); a mode that parses must print back
/// to a string that parses to the same bits.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFileMode(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    guard let mode = try? FileMode(parsing: text) else { return 0 }
    guard mode.permissions <= 0o777, (try? FileMode(parsing: mode.description)) == mode else {
        fatalError("FileMode round trip failed")
    }
    return 0
}
