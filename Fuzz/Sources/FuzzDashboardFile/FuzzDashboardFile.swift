import OAuthTopConfig

/// Feeds bytes to the dashboard file parser (panels and their PromQL queries).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDashboardFile(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    _ = DashboardFile.parse(yaml: text, file: "fuzz.dashboard.yaml")
    return 0
}
