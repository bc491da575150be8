import CNCurses
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The process-wide part of restoring the terminal: shared by ``TerminalScreen/stop()``, an
/// `atexit` hook and the signal handlers of ``TerminalRestoreSignals``.
///
/// Async-signal safety: POSIX does not list `endwin` as async-signal-safe. We call it from the
/// handlers anyway, as ncurses' own SIGINT/SIGTERM handlers do, because the alternative (leaving
/// the terminal in raw mode on the alternate screen) is worse and the process is about to end.
/// Everything else a handler does is safe: an atomic compare-exchange, `sigaction` and `raise`.
/// The handlers touch only the statics below, which are initialised before any handler is set.
enum EmergencyRestore {
    /// Whether ncurses owns the terminal. Whoever changes it from `true` to `false` calls `endwin`,
    /// so `endwin` runs exactly once whichever of stop, exit or signal comes first.
    static let active = Atomic<Bool>(false)

    /// Bit `n` set: our handler is installed for signal `n` and its previous action is in `previous`.
    private static let installed = Atomic<UInt64>(0)

    private static let atexitRegistered = Atomic<Bool>(false)

    /// The action each signal had before ``TerminalScreen/start(options:)``, indexed by signal number.
    ///
    /// `nonisolated(unsafe)` proof: the pointer itself never changes. An entry is written only by
    /// ``install(_:)`` and ``captureBefore(_:)``, which run on the terminal thread before the handler
    /// for that signal is installed (`sigaction` orders the write before any delivery), and is read
    /// only by that handler and by ``uninstall()`` on the terminal thread.
    nonisolated(unsafe) private static let previous: UnsafeMutablePointer<sigaction> = {
        let storage = UnsafeMutablePointer<sigaction>.allocate(capacity: Self.signalLimit)
        storage.initialize(repeating: sigaction(), count: Self.signalLimit)
        return storage
    }()

    private static let signalLimit = 64

    /// Marks the terminal as owned by ncurses and makes sure the `atexit` hook is registered.
    static func activate() {
        _ = Self.previous
        Self.active.store(true, ordering: .releasing)
        if Self.atexitRegistered.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing)
            .exchanged
        {
            atexit { EmergencyRestore.endTerminal() }
        }
    }

    /// Calls `endwin` if nobody has yet.
    ///
    /// - Returns: Whether this call restored the terminal.
    @discardableResult
    static func endTerminal() -> Bool {
        guard Self.active.compareExchange(expected: true, desired: false, ordering: .acquiringAndReleasing).exchanged
        else { return false }
        endwin()
        return true
    }

    /// Records the current action of each of `signals`, before ncurses installs its own.
    static func captureBefore(_ signals: Set<Int32>) {
        for signal in signals where Self.isValid(signal) {
            sigaction(signal, nil, Self.previous + Int(signal))
        }
    }

    /// Puts back the action recorded by ``captureBefore(_:)`` for each of `signals`.
    static func putBack(_ signals: Set<Int32>) {
        for signal in signals where Self.isValid(signal) {
            sigaction(signal, Self.previous + Int(signal), nil)
        }
    }

    /// Installs the restoring handler for the signals of `restore`; their previous actions must
    /// have been captured. A `whenUnhandled` signal is taken only if its previous action was the
    /// default one.
    static func install(_ restore: TerminalRestoreSignals) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = emergencySignalHandler
        sigemptyset(&action.sa_mask)
        action.sa_flags = Int32(SA_ONSTACK)
        for signal in restore.all where Self.isValid(signal) {
            if restore.whenUnhandled.contains(signal), !Self.isDefaultAction(Self.previous[Int(signal)]) { continue }
            Self.installed.bitwiseOr(1 << UInt64(signal), ordering: .releasing)
            sigaction(signal, &action, nil)
        }
    }

    /// Puts back the previous action of every signal ``install(_:)`` took over and that still has
    /// our handler (one that somebody installed since stays).
    static func uninstall() {
        let mask = Self.installed.exchange(0, ordering: .acquiringAndReleasing)
        var ours = sigaction()
        ours.__sigaction_handler.sa_handler = emergencySignalHandler
        for signal in 1..<Int32(Self.signalLimit) where mask & (1 << UInt64(signal)) != 0 {
            var current = sigaction()
            sigaction(signal, nil, &current)
            guard Self.handlerBits(current) == Self.handlerBits(ours) else { continue }
            sigaction(signal, Self.previous + Int(signal), nil)
        }
    }

    private static func isDefaultAction(_ action: sigaction) -> Bool {
        action.sa_flags & Int32(SA_SIGINFO) == 0 && Self.handlerBits(action) == 0
    }

    /// The handler's address (`SIG_DFL` is 0, `SIG_IGN` is 1).
    private static func handlerBits(_ action: sigaction) -> UInt {
        unsafeBitCast(action.__sigaction_handler, to: UInt.self)
    }

    /// The body of the signal handler: restore the terminal, put the previous action back and
    /// raise the signal again, so it reaches that action (a crash reporter, the service group's
    /// handler, or the default action) as soon as this handler returns.
    static func handle(_ signal: Int32) {
        Self.endTerminal()
        if Self.isValid(signal) {
            sigaction(signal, Self.previous + Int(signal), nil)
        }
        raise(signal)
    }

    private static func isValid(_ signal: Int32) -> Bool {
        signal > 0 && signal < Int32(Self.signalLimit)
    }
}

private func emergencySignalHandler(_ signal: Int32) {
    EmergencyRestore.handle(signal)
}
