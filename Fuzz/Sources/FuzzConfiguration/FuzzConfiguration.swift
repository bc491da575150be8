import OAuthTopConfig

/// Feeds bytes to the configuration file parser as a file's text. Secrets named in the input are
/// resolved against a fixed environment and one in-memory file, so no real file is read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    let reader = FileReader.inMemory(["secret.txt": "s3cr3t\n", "/run/secrets/client": "s3cr3t"])
    _ = OAuthTopConfiguration.parse(
        yaml: text,
        file: "fuzz.yaml",
        environment: ["CLIENT_SECRET": "s3cr3t", "EMPTY": ""],
        fileReader: reader
    )
    return 0
}
