import Foundation
import Synchronization

/// Writes whole lines to standard output, one writer at a time, flushed at once so a pipe
/// reader sees each event as it happens.
public final class JSONLineWriter: Sendable {
    private let lock = Mutex(())
    private let write: @Sendable (String) -> Void

    /// Writes to standard output.
    public init() {
        self.write = { line in
            fputs(line, stdout)
            fflush(stdout)
        }
    }

    /// Writes with `write`, e.g. into a buffer in tests.
    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    public func emit(_ line: String) {
        self.lock.withLock { _ in self.write(line + "\n") }
    }
}
