import ArgumentParser
import Foundation
import Logging
import OAuthTopConfig
import OAuthTopRuntime
import Telemetry

struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command with a token file that stays valid for as long as it runs.",
        discussion: """
            oauthtop writes the provider's token to a file (mode 0600, in a private 0700 directory \
            unless --token-file says where) before starting CMD, puts its path in \
            $OAUTHTOP_TOKEN_FILE (and the provider's name in $OAUTHTOP_PROVIDER), and rewrites it \
            atomically after every refresh, so reading the file before each request always gives a \
            valid token. CMD is not started without one. Its stdin, stdout and stderr pass through; \
            SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to oauthtop are forwarded to it (Ctrl-C in a \
            terminal reaches it directly, once); oauthtop exits with CMD's status (128 + the signal \
            number if a signal killed it) and removes the file.

            --env NAME also puts the first token in $NAME, for tools that read only a variable: it \
            goes stale once the token is refreshed, so long jobs should read the file.

            When a daemon (`oauthtop run`) answers on its token socket (--socket, else $OAUTHTOP_SOCKET, \
            else the default path), the tokens come from it: one refresher for every job on the \
            machine, and $OAUTHTOP_TOKEN_URL names the daemon's token endpoint \
            (http+unix://SOCKET/v1/token/PROVIDER, the socket path percent-encoded; curl: \
            --unix-socket SOCKET http://localhost/v1/token/PROVIDER). Otherwise, or with --in-process \
            or --config, a token manager runs in this process, configured by --config, else \
            $OAUTHTOP_CONFIG, else $XDG_CONFIG_HOME/oauthtop/oauthtop.yaml, sharing the daemon's token \
            store, and $OAUTHTOP_TOKEN_URL names a private socket of this process serving the same \
            endpoint. With one provider it is used; with several, name one with --provider.

            With a token manager in this process, each API proxy of the configuration (`proxies:`, \
            docs/proxy.md) is served to CMD on a private listener (a Unix socket, or 127.0.0.1 on a free \
            port with a 0600 secret file, in a new 0700 directory): $OAUTHTOP_PROXY_URL names the first \
            (http://127.0.0.1:PORT or unix:PATH), $OAUTHTOP_PROXY_<NAME>_URL each, and \
            $OAUTHTOP_PROXY_SECRET_FILE / $OAUTHTOP_PROXY_<NAME>_SECRET_FILE the TCP listeners' secret \
            files (send Authorization: Bearer SECRET). CMD points its API client's base URL there and \
            sends no credential: the proxy attaches the token, refreshes and replays once on a 401.

            Exit status: CMD's, or 2 for a usage or configuration error, 69 when no token could be \
            had, 73 when the token file cannot be written, 126 when CMD cannot be run, 127 when it is \
            not found, 128 + N when signal N arrived before CMD started.

            Examples:
              oauthtop exec -- python3 long_job.py
              oauthtop exec --provider github -- \\
                sh -c '{ printf "Authorization: Bearer "; cat "$OAUTHTOP_TOKEN_FILE"; } | curl -H @- https://api.github.com/user'
              oauthtop exec --provider github --env GITHUB_TOKEN -- gh repo list
              oauthtop exec --config ./oauthtop.yaml --token-file /run/job/token -- ./batch.sh
            """
    )

    @Option(
        help: ArgumentHelp(
            "The provider whose token CMD gets; required when several are configured.", valueName: "name"
        )
    )
    var provider: String?

    @Option(help: ArgumentHelp("The configuration file (runs a token manager in this process).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("The daemon's token socket to take tokens from.", valueName: "path"))
    var socket: String?

    @Flag(help: "Run a token manager in this process even when a daemon is running.")
    var inProcess = false

    @Option(
        name: .customLong("env"),
        help: ArgumentHelp(
            "Also put the first token in this environment variable (it goes stale on refresh).", valueName: "name"
        )
    )
    var environmentVariable: String?

    @Option(
        name: .customLong("token-file"),
        help: ArgumentHelp("Write the token file here instead of a private temporary directory.", valueName: "path")
    )
    var tokenFile: String?

    @Option(help: ArgumentHelp("Serve /metrics at HOST:PORT while CMD runs (none by default).", valueName: "host:port"))
    var listen: String?

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp("oauthtop's own log level on stderr (default warning).", valueName: "level")
    )
    var logLevel: String?

    @Argument(
        parsing: .postTerminator, help: ArgumentHelp("The command and its arguments, after --.", valueName: "cmd")
    )
    var command: [String] = []

    func validate() throws {
        if self.command.isEmpty {
            throw ValidationError("give the command to run after --, e.g. oauthtop exec -- python3 job.py")
        }
        if let name = self.environmentVariable {
            let valid = name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
                && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            guard valid else { throw ValidationError("--env '\(name)' is not a variable name (letters, digits, _)") }
        }
        if let listen { _ = try RuntimeOptions.parseListen(listen) }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError(
                "--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical"
            )
        }
    }

    func run() async throws {
        // Before the manager (and its logger) is made: CMD's stderr gets only what --log-level allows.
        try LoggingSetup.bootstrapOrFail(level: self.logLevel.flatMap(Logger.Level.init(rawValue:)) ?? .warning)
        let environment = ProcessInfo.processInfo.environment
        let socketPath = TokenSocketPath.forClient(explicit: self.socket, environment: environment)
        if !self.inProcess, self.config == nil, TokenSocketPath.isListening(socketPath) {
            throw ExitCode(await self.runWithDaemon(socketPath: socketPath, environment: environment))
        }
        if self.socket != nil, !self.inProcess, self.config == nil {
            FileHandle.standardError.write(Data("oauthtop exec: no oauthtop daemon at \(socketPath)\n".utf8))
            throw ExitCode(69)
        }
        let loaded = try ConfiguredManager.loadOrExit(explicitPath: self.config)
        let logger = Logger(label: "oauthtop.exec")
        let listen = try self.listen.map(RuntimeOptions.parseListen)
        var runtime = ExecRuntime(loaded: loaded, listen: listen, logger: logger)
        runtime.proxies = loaded.configuration.proxies
        let status: Int32
        do {
            let provider = try ExecProviderChoice.choose(
                requested: self.provider, available: loaded.configuration.providers.map(\.name)
            )
            let task = ExecTask(
                command: self.command, provider: provider, source: runtime.source, tokenFilePath: self.tokenFile,
                tokenVariable: self.environmentVariable, environment: ProcessInfo.processInfo.environment,
                consumers: loaded.consumers, requests: loaded.tokenRequests,
                metrics: ExecMetrics(provider: provider, factory: loaded.collector), logger: logger
            )
            status = try await runtime.run(task)
        } catch {
            FileHandle.standardError.write(Data("oauthtop exec: \(error)\n".utf8))
            status = error.exitCode
        }
        throw ExitCode(status)
    }

    /// Runs CMD with tokens from the daemon at `socketPath`; returns the exit status.
    private func runWithDaemon(socketPath: String, environment: [String: String]) async -> Int32 {
        let logger = Logger(label: "oauthtop.exec")
        let source = SocketTokenSource(client: TokenSocketClient(endpoint: .unix(socketPath)))
        do {
            let available = try await source.providerNames()
            let provider = try ExecProviderChoice.choose(requested: self.provider, available: available)
            let task = ExecTask(
                command: self.command, provider: provider, source: source, tokenFilePath: self.tokenFile,
                tokenVariable: self.environmentVariable,
                tokenURL: ExecTask.tokenURL(socket: socketPath, provider: provider),
                environment: environment, logger: logger
            )
            return try await task.run()
        } catch {
            FileHandle.standardError.write(Data("oauthtop exec: \(error)\n".utf8))
            return (error as? ExecError)?.exitCode ?? 69
        }
    }
}
