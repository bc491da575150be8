import ArgumentParser
import Foundation
import OAuthTopRuntime

/// `--socket PATH` of the commands that act on a running daemon, and how they report failures.
struct SocketClientOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The daemon's token socket. Default: $OAUTHTOP_SOCKET, else $XDG_RUNTIME_DIR/oauthtop/oauthtop.sock "
                + "(/tmp/oauthtop-UID/oauthtop.sock when XDG_RUNTIME_DIR is unset).",
            valueName: "path"
        )
    )
    var socket: String?

    /// The client of the socket these options name.
    func client() -> TokenSocketClient {
        let path = TokenSocketPath.forClient(explicit: self.socket, environment: ProcessInfo.processInfo.environment)
        return TokenSocketClient(endpoint: .unix(path))
    }

    /// Prints `error` to stderr and returns exit code 1.
    static func fail(_ error: TokenSocketClientError) -> ExitCode {
        FileHandle.standardError.write(Data("oauthtop: \(error)\n".utf8))
        return ExitCode(1)
    }
}
