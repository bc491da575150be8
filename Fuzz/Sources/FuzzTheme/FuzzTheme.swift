import OAuthTopConfig

/// Feeds bytes to the theme file parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTheme(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    _ = ThemeFile.parse(yaml: text, file: "fuzz.theme")
    return 0
}
