import ArgumentParser
import Foundation
import Logging
import OAuthTopConfig
import OAuthTopRuntime
import Telemetry

/// Options every long-running command shares.
struct RuntimeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where /metrics listens, as HOST:PORT (port 0 picks a free port).", valueName: "host:port"))
    var listen: String?

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp("Log level on stderr: trace, debug, info, notice, warning, error, critical.", valueName: "level")
    )
    var logLevel: String?

    func validate() throws {
        if let listen { _ = try Self.parseListen(listen) }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
        }
    }

    static func parseListen(_ text: String) throws -> ListenAddress {
        do {
            return try ListenAddress(parsing: text)
        } catch {
            throw ValidationError("--listen: \(error)")
        }
    }
}

/// Parses `500ms`, `15s`, `2m`, `1h` for command-line options.
struct DurationArgument: ExpressibleByArgument, Sendable {
    var duration: Duration

    init?(argument: String) {
        guard let duration = try? DurationSyntax.parse(argument) else { return nil }
        self.duration = duration
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

extension ConfiguredManager {
    /// Loads the configuration for a command, or prints every problem and exits 2.
    static func loadOrExit(explicitPath: String?) throws -> ConfiguredManager {
        do {
            return try ConfiguredManager.load(explicitPath: explicitPath, environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

extension LoggingSetup {
    /// Bootstraps logging for a command; an unwritable `--log-file` is a usage error.
    static func bootstrapOrFail(level: Logger.Level, to destination: Destination = .standardError) throws {
        do {
            try self.bootstrap(level: level, to: destination)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
