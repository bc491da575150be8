import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole lines (JSON events, notifications) to standard output, one writer at a time, each
/// with `write(2)` at once so a pipe reader sees every line as it happens.
///
/// When the reader goes away (`EPIPE`, e.g. `oauthtop demo --headless | head`), further lines are
/// dropped instead of failing: the process keeps running until it is told to stop. `SIGPIPE` is
/// ignored process-wide (as swift-nio does) so a closed pipe is an error code, not a crash.
public final class JSONLineWriter: Sendable {
    private let closed = Mutex(false)
    private let write: @Sendable (String) -> Bool

    /// Writes to standard output.
    public convenience init() {
        Self.ignoreSIGPIPE()
        self.init(write: { line in JSONLineWriter.writeAll(line, to: STDOUT_FILENO) })
    }

    /// Writes with `write` (e.g. into a buffer in tests); it returns `false` once the output is gone.
    public init(write: @escaping @Sendable (String) -> Bool) {
        self.write = write
    }

    /// Writes with `write`, which never fails.
    public convenience init(write: @escaping @Sendable (String) -> Void) {
        self.init(write: { line -> Bool in
            write(line)
            return true
        })
    }

    /// Writes `line` and a newline, unless the output has gone away.
    public func emit(_ line: String) {
        self.closed.withLock { closed in
            guard !closed else { return }
            if !self.write(line + "\n") { closed = true }
        }
    }

    /// Makes a write to a closed pipe fail with `EPIPE` instead of killing the process.
    public static func ignoreSIGPIPE() {
        _ = signal(SIGPIPE, SIG_IGN)
    }

    /// Writes all of `text` to `descriptor`, retrying on `EINTR`; `false` on any other error.
    public static func writeAll(_ text: String, to descriptor: Int32) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                #if canImport(Glibc)
                return Glibc.write(descriptor, base + offset, buffer.count - offset)
                #else
                return Darwin.write(descriptor, base + offset, buffer.count - offset)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}
