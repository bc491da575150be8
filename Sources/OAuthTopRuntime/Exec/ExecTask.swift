import Foundation
import Logging
import Primitives
import Synchronization
import TokenManager

/// One run of `oauthtop exec`: a command that gets a token file which stays valid for as long as the
/// command runs.
///
/// In order: the token file is written (0600; in a private 0700 directory unless a path is given)
/// with a valid token from the ``TokenSource``, waiting for one if needed, and the command is not
/// started without it; the command is spawned with `$OAUTHTOP_TOKEN_FILE` (and `$OAUTHTOP_PROVIDER`,
/// `$OAUTHTOP_TOKEN_URL` when a local token endpoint serves it, and the token itself in the `--env`
/// variable), stdin/stdout/stderr inherited; a ``TokenFileKeeper`` rewrites the file after every
/// refresh; SIGINT, SIGTERM, SIGHUP and SIGQUIT are forwarded; when the command ends, the file (and
/// its directory) is removed and the command's status is returned, 128 + the signal if one killed it.
///
/// Cancelling the task that runs it sends SIGTERM to the command (or abandons the wait for the first
/// token) and returns once the command has ended and the file is removed: how a program that handles
/// its own signals (the demo, with ``forwardSignals`` off) stops its exec'd tasks.
public struct ExecTask: Sendable {
    /// The command and its arguments; the first is looked up on `PATH`.
    public var command: [String]
    public var provider: String
    public var source: any TokenSource
    /// Where the token file goes; `nil` for `token` in a new private temporary directory.
    public var tokenFilePath: String?
    /// The variable that also gets the first token (it goes stale once the token is refreshed).
    public var tokenVariable: String?
    /// SEAM (socket): the daemon's local token endpoint, exported as `$OAUTHTOP_TOKEN_URL` when set.
    /// The in-process manager serves no endpoint, so it is `nil` then.
    public var tokenURL: String?
    /// The command's environment, to which the variables above are added.
    public var environment: [String: String]
    /// Where the task shows up as a consumer while it runs.
    public var consumers: ConsumerRegistry?
    /// Counts the token file's writes as `oauth_token_requests_total{consumer="exec"}`.
    public var requests: TokenRequestCounter?
    public var metrics: ExecMetrics?
    /// Whether SIGINT, SIGTERM, SIGHUP and SIGQUIT this process receives go to the command (`oauthtop
    /// exec`); off, the process keeps its own handling of them and stops the command by cancellation.
    public var forwardSignals = true
    /// What the consumers list calls the task; by default the command line.
    public var displayName: String?
    public var clock: WallClock
    public var logger: Logger

    public init(
        command: [String],
        provider: String,
        source: any TokenSource,
        tokenFilePath: String? = nil,
        tokenVariable: String? = nil,
        tokenURL: String? = nil,
        environment: [String: String],
        consumers: ConsumerRegistry? = nil,
        requests: TokenRequestCounter? = nil,
        metrics: ExecMetrics? = nil,
        clock: WallClock = .system,
        logger: Logger
    ) {
        self.command = command
        self.provider = provider
        self.source = source
        self.tokenFilePath = tokenFilePath
        self.tokenVariable = tokenVariable
        self.tokenURL = tokenURL
        self.environment = environment
        self.consumers = consumers
        self.requests = requests
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
    }

    /// The variable that holds the token file's path.
    public static let tokenFileVariable = "OAUTHTOP_TOKEN_FILE"
    /// The variable that holds the provider's name.
    public static let providerVariable = "OAUTHTOP_PROVIDER"
    /// The variable that holds the local token endpoint's URL (when a daemon serves one).
    public static let tokenURLVariable = "OAUTHTOP_TOKEN_URL"

    /// `$OAUTHTOP_TOKEN_URL` for `provider` on the token socket at `socket`: `http+unix://` with the path
    /// percent-encoded, as requests-unixsocket and AsyncHTTPClient read it.
    public static func tokenURL(socket: String, provider: String) -> String {
        let encoded = socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socket
        return "http+unix://\(encoded)/v1/token/\(provider)"
    }

    /// Runs the command to its end.
    ///
    /// - Returns: The command's exit status (128 + signal when a signal killed it).
    /// - Throws: ``ExecError`` when the command was not started (no token, not found, not executable).
    public func run() async throws(ExecError) -> Int32 {
        // Signals are handled from the start, so that one arriving while the first token is awaited
        // ends the run cleanly (the private directory removed) instead of killing the process.
        let forwarder = self.forwardSignals ? try SignalForwarder.install() : nil
        let location: TokenFileLocation
        do {
            location = try TokenFileLocation.make(explicitPath: self.tokenFilePath, environment: self.environment)
        } catch {
            forwarder?.detach()
            throw error
        }
        let consumerID = Mutex<String?>(nil)
        let keeper = TokenFileKeeper(
            source: self.source, provider: self.provider, file: TokenFile(path: location.path), clock: self.clock,
            report: { [consumers, requests, logger] write in
                if let id = consumerID.withLock({ $0 }) { consumers?.record(write, id: id) }
                requests?.increment(provider: write.provider, consumer: .exec, outcome: write.outcome.rawValue)
                write.log(to: logger, kind: "token file")
            }
        )
        self.requests?.prepare(provider: self.provider, consumer: .exec)
        let first: TokenFileWrite?
        switch await Self.firstToken(keeper, interruptedBy: forwarder) {
        case .written(let write):
            first = write
        case .signal(let signal):
            // Interrupted while waiting for the first token (Ctrl-C, SIGTERM): the command never starts.
            keeper.stop()
            location.remove()
            forwarder?.detach()
            self.logger.info("interrupted before the command started", metadata: ["signal": "\(signal)"])
            return 128 + signal
        }
        guard let token = keeper.writtenToken, first?.outcome == .success else {
            location.remove()
            forwarder?.detach()
            if first?.outcome == .writeFailed {
                throw .tokenDirectory("cannot write the token file: \(first?.error ?? location.path)")
            }
            throw .noToken(provider: self.provider, reason: first?.error ?? "the source gave no token")
        }

        var environment = self.environment
        environment[Self.tokenFileVariable] = location.path
        environment[Self.providerVariable] = self.provider
        if let tokenURL { environment[Self.tokenURLVariable] = tokenURL }
        if let tokenVariable { environment[tokenVariable] = token.value.revealed }

        let child: SpawnedChild
        do {
            child = try Self.spawn(self.command, environment: environment)
        } catch {
            location.remove()
            forwarder?.detach()
            throw error
        }
        forwarder?.attach(child)
        let started = self.clock.now()
        let id = "exec:\(child.pid)"
        consumerID.withLock { $0 = id }
        var consumer = Consumer(
            id: id, kind: .exec, provider: self.provider, name: self.displayName ?? self.command.joined(separator: " "),
            pid: child.pid,
            since: started
        )
        if let first { consumer.record(first) }
        self.consumers?.register(consumer)
        self.metrics?.running.record(1)
        self.logger.info(
            "command started",
            metadata: [
                "provider": "\(self.provider)", "pid": "\(child.pid)", "token_file": "\(location.path)",
                "token": "\(token.value.fingerprint)",
            ]
        )

        let keeping = Task { await keeper.run() }
        let status = await withTaskCancellationHandler {
            await child.waitForExit().shellStatus
        } onCancel: {
            child.signal(SIGTERM)
        }
        forwarder?.detach()
        keeper.stop()
        keeping.cancel()
        location.remove()

        let ended = self.clock.now()
        self.metrics?.running.record(0)
        self.metrics?.duration.recordNanoseconds(max(0, ended - started))
        self.consumers?.remove(id: id)
        self.logger.info(
            "command ended",
            metadata: [
                "provider": "\(self.provider)", "pid": "\(child.pid)", "status": "\(status)",
                "seconds": "\(Double(ended - started) / 1e9)", "signals_forwarded": "\(forwarder?.forwardedCount ?? 0)",
            ]
        )
        return status
    }

    /// Starts the command (looked up on `PATH`) with stdin, stdout and stderr inherited, so they pass
    /// through untouched, and the forwarded signals back at their default disposition.
    ///
    /// - Throws: ``ExecError`` for a command not found (127) or not executable (126).
    static func spawn(_ command: [String], environment: [String: String]) throws(ExecError) -> SpawnedChild {
        guard let program = command.first else { throw .usage("no command given") }
        var options = SpawnedChild.Options()
        options.searchPath = true
        options.defaultSignals = SignalForwarder.forwarded + [SIGPIPE]
        do {
            return try SpawnedChild.spawn(command, environment: environment, options: options)
        } catch {
            if error.notFound { throw .commandNotFound(program) }
            throw .notExecutable(program, reason: error.reason)
        }
    }

    private enum FirstToken: Sendable {
        case written(TokenFileWrite?)
        case signal(Int32)
    }

    /// Writes the first token, waiting for one, unless a signal arrives first or the task is cancelled
    /// (reported as SIGTERM); the wait for a token from a failing provider is not cancellable, so it is
    /// abandoned, not awaited.
    private static func firstToken(
        _ keeper: TokenFileKeeper,
        interruptedBy forwarder: SignalForwarder?
    ) async -> FirstToken {
        let relay = CancelRelay()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<FirstToken, Never>) in
                let once = ResumeOnce()
                let resume = { @Sendable (outcome: FirstToken) in
                    if once.claim() { continuation.resume(returning: outcome) }
                }
                relay.set { resume(.signal(SIGTERM)) }
                forwarder?.onSignalBeforeStart { signal in resume(.signal(signal)) }
                Task { resume(.written(await keeper.update(waiting: true))) }
                // Cancelled before the relay was set: the handler found nothing to call.
                if Task.isCancelled { resume(.signal(SIGTERM)) }
            }
        } onCancel: {
            relay.fire()
        }
    }
}

/// Hands a cancellation to the wait that is in progress, if any.
private final class CancelRelay: Sendable {
    private let action = Mutex<(@Sendable () -> Void)?>(nil)

    func set(_ action: @escaping @Sendable () -> Void) {
        self.action.withLock { $0 = action }
    }

    func fire() {
        self.action.withLock { $0 }?()
    }
}
