import Foundation
import Primitives
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The write end of the forwarder's pipe, read by the signal handler.
///
/// `nonisolated(unsafe)` is sound here: it is written once, in ``SignalForwarder/install()``, before
/// any handler that reads it is installed (sigaction orders the two), and never changes afterwards; a
/// signal handler can only read a plain global (no lock, no allocation is async-signal-safe).
private nonisolated(unsafe) var signalPipeWriteEnd: Int32 = -1

/// The handler of the forwarded signals: writes the signal and its `si_code` to the pipe (`write` is
/// async-signal-safe) and nothing else.
private func recordSignal(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _: UnsafeMutableRawPointer?) {
    let savedErrno = errno
    var record: (Int32, Int32) = (signal, info?.pointee.si_code ?? 0)
    _ = withUnsafeBytes(of: &record) { write(signalPipeWriteEnd, $0.baseAddress, $0.count) }
    errno = savedErrno
}

/// Forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT that `oauthtop exec` receives to its command, and keeps
/// them from ending `oauthtop exec` itself (the command decides; its exit ends exec).
///
/// A signal the kernel sent to the whole foreground process group (Ctrl-C, Ctrl-\ or a hang-up of the
/// terminal: `si_code` is `SI_KERNEL`) already reached the command, which shares that group, so it is
/// not sent a second time; signals sent by a process (`kill`, a supervisor, systemd) are forwarded.
/// A signal that arrives before the command started (while the first token is awaited, Ctrl-C
/// included) goes to the handler set with ``onSignalBeforeStart(_:)``, which abandons the start.
final class SignalForwarder: Sendable {
    static let forwarded: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    /// `si_code` of a signal the kernel generated (a terminal's), from `<asm-generic/siginfo.h>`.
    private static let siKernel: Int32 = 0x80

    private struct State {
        var target: SpawnedChild?
        var pending: [Int32] = []
        var forwardedCount = 0
        var beforeStart: (@Sendable (Int32) -> Void)?
    }

    private let state = Mutex(State())

    private static let shared = Mutex<SignalForwarder?>(nil)

    private init() {}

    /// Installs the handlers (once per process) and returns the forwarder.
    ///
    /// - Throws: ``ExecError`` when the pipe or a handler cannot be set up.
    static func install() throws(ExecError) -> SignalForwarder {
        let result = Self.shared.withLock { shared -> Result<SignalForwarder, ExecError> in
            if let shared { return .success(shared) }
            var ends: [Int32] = [-1, -1]
            // pipe2 is not visible from Swift's Glibc module; the command is spawned after this, so
            // setting close-on-exec in a second step leaves no window for it to inherit the pipe.
            guard pipe(&ends) == 0 else {
                return .failure(.system("cannot create the signal pipe: \(String(cString: strerror(errno)))"))
            }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            signalPipeWriteEnd = ends[1]
            let forwarder = SignalForwarder()
            let readEnd = ends[0]
            let thread = Thread { forwarder.readLoop(readEnd) }
            thread.name = "oauthtop-exec-signals"
            thread.start()
            for signal in Self.forwarded {
                var action = sigaction()
                action.__sigaction_handler = .init(sa_sigaction: recordSignal)
                action.sa_flags = SA_SIGINFO | SA_RESTART
                sigemptyset(&action.sa_mask)
                guard sigaction(signal, &action, nil) == 0 else {
                    return .failure(.system("cannot handle signal \(signal): \(String(cString: strerror(errno)))"))
                }
            }
            shared = forwarder
            return .success(forwarder)
        }
        return try result.get()
    }

    /// Calls `handler` with the first signal that arrives before ``attach(_:)`` (at once if one did).
    func onSignalBeforeStart(_ handler: @escaping @Sendable (Int32) -> Void) {
        let early = self.state.withLock { state -> Int32? in
            state.beforeStart = handler
            return state.pending.first
        }
        if let early { handler(early) }
    }

    /// Forwards signals to `process` from now on, first those that arrived before it started.
    func attach(_ process: SpawnedChild) {
        let pending = self.state.withLock { state -> [Int32] in
            state.target = process
            defer { state.pending = [] }
            return state.pending
        }
        for signal in pending { process.signal(signal) }
    }

    /// Stops forwarding (the command has ended); later signals are dropped.
    func detach() {
        self.state.withLock { state in
            state.target = nil
            state.beforeStart = nil
            state.pending = []
        }
    }

    /// How many signals were forwarded so far.
    var forwardedCount: Int { self.state.withLock { $0.forwardedCount } }

    private func readLoop(_ readEnd: Int32) {
        var record: (Int32, Int32) = (0, 0)
        while true {
            let count = withUnsafeMutableBytes(of: &record) { read(readEnd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count == MemoryLayout<(Int32, Int32)>.size else { return }
            let (signal, code) = record
            typealias Action = (target: SpawnedChild?, beforeStart: (@Sendable (Int32) -> Void)?)
            let (target, beforeStart) = self.state.withLock { state -> Action in
                guard let target = state.target else {
                    // No command yet: nobody else got it, whoever sent it.
                    state.pending.append(signal)
                    return (nil, state.beforeStart)
                }
                if code == Self.siKernel { return (nil, nil) }
                state.forwardedCount += 1
                return (target, nil)
            }
            target?.signal(signal)
            beforeStart?(signal)
        }
    }
}
