import Testing

/// `oauthtop --version` names the malloc serving the process, checked by allocating (the `Allocator` target):
/// the C library's in a default build, jemalloc with the package's `Jemalloc` trait (README, Building for a
/// server; scripts/test checks that build too).
@Suite("version")
struct VersionTests {
    @Test("--version prints the version and the malloc in use")
    func version() async throws {
        try await Sandbox.with { sandbox in
            let result = try await ChildProcess.run(
                ["--version"], environment: sandbox.environment(), directory: sandbox.directory
            )
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #if Jemalloc
            #expect(result.stdout.hasPrefix("0.1.0 (malloc: jemalloc 5."), "stdout: \(result.stdout)")
            #else
            #expect(result.stdout == "0.1.0 (malloc: the C library's malloc)\n", "stdout: \(result.stdout)")
            #endif
        }
    }
}
