import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A program run to completion without a shell, with a time limit and the start of its output kept.
///
/// Started as a ``SpawnedChild``: stdin from `/dev/null` (or a pipe carrying ``run(_:environment:input:timeout:sleep:)``'s
/// input), stdout and stderr into an unlinked temporary file of which the first ``outputLimit`` bytes are
/// read back, and a process group of its own, so that a time-out or a cancellation kills it with
/// everything it started.
public enum ChildProcess {
    /// How much of the output is read back.
    public static let outputLimit = 4096

    /// How a run ended.
    public enum Outcome: Sendable, Hashable {
        /// It exited with this status.
        case exited(Int32)
        /// A signal (not ours) ended it.
        case signalled(Int32)
        /// It ran past the time limit and was killed (`SIGKILL` to its process group).
        case timedOut
        /// The caller's task was cancelled; it was killed.
        case cancelled
    }

    /// A run's end and the start of its output (stdout and stderr interleaved).
    public struct Result: Sendable, Hashable {
        public var outcome: Outcome
        public var output: [UInt8]
    }

    /// Why a program could not be started.
    public struct LaunchError: Error, Sendable, CustomStringConvertible {
        public var description: String
        /// Just the reason (`no such file`, `permission denied`), for callers that name the program themselves.
        public var reason: String

        init(_ description: String, reason: String? = nil) {
            self.description = description
            self.reason = reason ?? description
        }
    }

    /// Runs `argv[0]` (an absolute path) with `argv` and exactly `environment`.
    ///
    /// - Parameters:
    ///   - argv: The program's absolute path, then its arguments.
    ///   - environment: The whole environment of the program (nothing of ours is inherited).
    ///   - input: What the program reads on stdin (written by a thread of its own, so a program that does
    ///     not read cannot stall the time limit); empty: stdin is `/dev/null`.
    ///   - timeout: How long it may run.
    ///   - sleep: Sleeps for a duration; the injected clock's, so tests control the time limit.
    /// - Returns: How it ended and the start of its output.
    /// - Throws: ``LaunchError`` when it could not be started (no such file, not executable).
    public static func run(
        _ argv: [String],
        environment: [String: String],
        input: [UInt8] = [],
        timeout: Duration,
        sleep: @escaping @Sendable (Duration) async throws -> Void
    ) async throws(LaunchError) -> Result {
        let output = try self.outputFile()
        defer { close(output) }
        var options = SpawnedChild.Options()
        options.stdout = .descriptor(output)
        options.stderr = .descriptor(output)
        options.ownProcessGroup = true
        var pipeEnds: [Int32] = [-1, -1]
        if input.isEmpty {
            options.stdin = .devNull
        } else {
            guard pipe(&pipeEnds) == 0 else {
                throw LaunchError("cannot create a pipe for its input: \(String(cString: strerror(errno)))")
            }
            // Another child spawned meanwhile does not get them either: the spawn closes every descriptor
            // above 2 in the child.
            for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            options.stdin = .descriptor(pipeEnds[0])
        }
        let child: SpawnedChild
        do {
            child = try SpawnedChild.spawn(argv, environment: environment, options: options)
        } catch {
            if !input.isEmpty { close(pipeEnds[0]); close(pipeEnds[1]) }
            throw LaunchError(error.description, reason: error.reason)
        }
        if !input.isEmpty {
            close(pipeEnds[0])
            Self.feed(input, to: pipeEnds[1])
        }
        let outcome = await withTaskCancellationHandler {
            await withTaskGroup(of: Outcome?.self) { group in
                group.addTask {
                    switch await child.waitForExit() {
                    case .exited(let code): .exited(code)
                    case .signalled(let signal): .signalled(signal)
                    }
                }
                group.addTask {
                    do {
                        try await sleep(timeout)
                        return .timedOut
                    } catch {
                        return Task.isCancelled ? nil : .timedOut
                    }
                }
                var result: Outcome = .cancelled
                while let next = await group.next() {
                    guard let next else { continue }
                    result = next
                    break
                }
                if result == .timedOut {
                    child.signal(SIGKILL)
                    group.cancelAll()
                    _ = await group.next()  // the exit, now that it was killed
                } else {
                    group.cancelAll()
                }
                return result
            }
        } onCancel: {
            child.signal(SIGKILL)
        }
        var buffer = [UInt8](repeating: 0, count: self.outputLimit)
        let count = buffer.withUnsafeMutableBytes { pread(output, $0.baseAddress, $0.count, 0) }
        return Result(
            outcome: Task.isCancelled && outcome != .timedOut ? .cancelled : outcome,
            output: Array(buffer.prefix(max(0, count)))
        )
    }

    /// Writes `input` to `descriptor` on a thread of its own and closes it. A program that exits without
    /// reading makes the write fail with `EPIPE` (SIGPIPE is ignored), not kill us.
    private static func feed(_ input: [UInt8], to descriptor: Int32) {
        JSONLineWriter.ignoreSIGPIPE()
        let thread = Thread {
            var offset = 0
            while offset < input.count {
                let written = input.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, input.count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    break
                }
                offset += written
            }
            close(descriptor)
        }
        thread.name = "oauthtop-child-input"
        thread.start()
    }

    /// An unlinked temporary file, close-on-exec, for the child's output.
    private static func outputFile() throws(LaunchError) -> Int32 {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("oauthtop-child-XXXXXX").path
        var template = Array(path.utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard descriptor >= 0 else {
            throw LaunchError("cannot create a file for its output: \(String(cString: strerror(errno)))")
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { _ = unlink(base) }
        }
        return descriptor
    }
}
