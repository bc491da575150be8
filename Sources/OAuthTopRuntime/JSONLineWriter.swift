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
            // Unbuffered write(2): each event reaches a pipe reader as it happens.
            FileHandle.standardOutput.write(Data(line.utf8))
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
