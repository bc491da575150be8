import OAuthTopConfig

/// Feeds bytes to the fault schedule parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFaultSchedule(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    _ = FaultScheduleFile.parse(yaml: text, file: "fuzz.faults.yaml")
    return 0
}
