import Foundation
import Primitives
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The one way oauthtop starts programs: how a child ends, how it is signalled, and what it reads.
@Suite("SpawnedChild and ChildProcess: starting programs without a shell")
struct SpawnedChildTests {
    static let environment = ["PATH": "/usr/bin:/bin"]

    @Test("exit codes and signals come back, a shell's status too")
    func terminations() async throws {
        var options = SpawnedChild.Options()
        options.searchPath = true
        let exiting = try SpawnedChild.spawn(["sh", "-c", "exit 3"], environment: Self.environment, options: options)
        let exited = await exiting.waitForExit()
        #expect(exited == .exited(3))
        #expect(exited.shellStatus == 3)

        let sleeping = try SpawnedChild.spawn(["sleep", "30"], environment: Self.environment, options: options)
        sleeping.signal(SIGTERM)
        let signalled = await sleeping.waitForExit()
        #expect(signalled == .signalled(SIGTERM))
        #expect(signalled.shellStatus == 128 + SIGTERM)
        sleeping.signal(SIGKILL)  // after the reap: sent to nobody
    }

    @Test("a working directory: the child starts in it, and ours is not changed")
    func workingDirectory() async throws {
        let directory = NSTemporaryDirectory() + "oauthtop-spawn-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ours = FileManager.default.currentDirectoryPath
        var options = SpawnedChild.Options()
        options.searchPath = true
        options.directory = directory
        let child = try SpawnedChild.spawn(["sh", "-c", "pwd > here"], environment: Self.environment, options: options)
        #expect(await child.waitForExit() == .exited(0))
        let written = try String(contentsOfFile: directory + "/here", encoding: .utf8)
        #expect(URL(fileURLWithPath: written.trimmingCharacters(in: .newlines)).resolvingSymlinksInPath().path
            == URL(fileURLWithPath: directory).resolvingSymlinksInPath().path)
        #expect(FileManager.default.currentDirectoryPath == ours)
    }

    @Test("a missing program and a relative path without the PATH lookup are clear errors")
    func launchErrors() {
        #expect {
            try SpawnedChild.spawn(["/nonexistent/program"], environment: [:])
        } throws: { error in
            let error = error as? SpawnedChild.SpawnError
            return error?.notFound == true && error?.description == "cannot start '/nonexistent/program': no such file"
        }
        #expect {
            try SpawnedChild.spawn(["sh", "-c", "true"], environment: [:])
        } throws: { error in
            (error as? SpawnedChild.SpawnError)?.reason == "the program must be an absolute path"
        }
    }

    @Test("input reaches the program's stdin; its output comes back")
    func input() async throws {
        let text = Array("{\"alert\":\"x\"}\n".utf8)
        let result = try await ChildProcess.run(
            ["/bin/cat"], environment: [:], input: text, timeout: .seconds(30), sleep: { try await Task.sleep(for: $0) }
        )
        #expect(result.outcome == .exited(0))
        #expect(result.output == text)
    }

    @Test("input larger than a pipe holds, to a program that never reads, cannot stall the time limit")
    func unreadInput() async throws {
        let result = try await ChildProcess.run(
            ["/bin/sleep", "30"], environment: [:], input: Array(repeating: 0x61, count: 1 << 20),
            timeout: .milliseconds(200), sleep: { try await Task.sleep(for: $0) }
        )
        #expect(result.outcome == .timedOut)
    }
}
