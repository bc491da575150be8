import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole lines to standard output, one writer at a time, each with `write(2)` at once so a
/// pipe reader sees every event as it happens.
///
/// When the reader goes away (`EPIPE`, e.g. `oauthtop demo --headless | head`), further lines are
/// dropped instead of failing: the manager keeps running until it is told to stop.
public final class JSONLineWriter: Sendable {
    private let lock = Mutex(false)  // true once standard output is closed
    private let write: @Sendable (String) -> Bool

    /// Writes to standard output.
    public init() {
        self.write = { line in JSONLineWriter.writeAll(line, to: STDOUT_FILENO) }
    }

    /// Writes with `write`, e.g. into a buffer in tests; it returns `false` when the output is gone.
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

    public func emit(_ line: String) {
        self.lock.withLock { closed in
            guard !closed else { return }
            if !self.write(line + "\n") { closed = true }
        }
    }

    /// Writes all of `text` to `descriptor`, retrying on `EINTR`; `false` on any other error.
    static func writeAll(_ text: String, to descriptor: Int32) -> Bool {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer -> Int in
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
