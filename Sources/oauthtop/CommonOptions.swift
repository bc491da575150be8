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

/// Sets up swift-log once: stderr (or a file, or nowhere while the dashboard owns the
/// terminal), with the chosen level.
enum LoggingSetup {
    enum Destination {
        case standardError
        case file(String)
        case none
    }

    static func bootstrap(level: Logger.Level, to destination: Destination = .standardError) throws {
        switch destination {
        case .standardError:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .none:
            LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        case .file(let path):
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
                    || FileManager.default.isWritableFile(atPath: path),
                let handle = FileHandle(forWritingAtPath: path)
            else {
                throw ValidationError("--log-file: cannot write \(path)")
            }
            handle.seekToEndOfFile()
            let stream = LogFileStream(handle: handle)
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler(label: label, stream: stream)
                handler.logLevel = level
                return handler
            }
        }
    }
}

/// Appends log lines to a file, one writer at a time.
final class LogFileStream: TextOutputStream, @unchecked Sendable {
    // @unchecked: every access to `handle` happens under `lock`.
    private let handle: FileHandle
    private let lock = NSLock()

    init(handle: FileHandle) { self.handle = handle }

    func write(_ string: String) {
        self.lock.lock()
        defer { self.lock.unlock() }
        self.handle.write(Data(string.utf8))
    }
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
