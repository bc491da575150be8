import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole lines to a file descriptor, one writer at a time, each with `write(2)` at once.
///
/// When the reader goes away (`EPIPE`, e.g. `oauthtop run --headless | head`), further lines are
/// dropped instead of failing; `SIGPIPE` is ignored process-wide (as swift-nio does) so a closed
/// pipe is an error code, not a crash. The same idea as the runtime's `JSONLineWriter`, which this
/// target must not import.
public final class NotificationLineWriter: Sendable {
    private let closed = Mutex(false)
    private let write: @Sendable (String) -> Bool

    /// Writes to standard output.
    public convenience init() {
        Self.ignoreSIGPIPE()
        self.init(write: { line in NotificationLineWriter.writeAll(line, to: STDOUT_FILENO) })
    }

    /// Writes with `write` (e.g. into a buffer in tests); it returns `false` once the output is gone.
    public init(write: @escaping @Sendable (String) -> Bool) {
        self.write = write
    }

    /// Writes `line` and a newline, unless the output has gone away.
    public func emit(_ line: String) {
        self.closed.withLock { closed in
            guard !closed else { return }
            if !self.write(line + "\n") { closed = true }
        }
    }

    /// Makes a write to a closed pipe fail with `EPIPE` instead of killing the process.
    static func ignoreSIGPIPE() {
        _ = signal(SIGPIPE, SIG_IGN)
    }

    /// Writes all of `text` to `descriptor`, retrying on `EINTR`; `false` on any other error.
    static func writeAll(_ text: String, to descriptor: Int32) -> Bool {
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
