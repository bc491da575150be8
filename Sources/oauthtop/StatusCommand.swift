import ArgumentParser
import Foundation
import OAuthTopRuntime

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a running daemon's providers, alerts and consumers.",
        discussion: """
            Asks the daemon (`oauthtop run --headless`) over its token socket: each provider's \
            token phase and expiry, circuit breaker, fallback in use, whether a refresh runs and the \
            last error; the pending and firing alerts; and the consumers the socket has seen (pid \
            and uid of each client process, its requests and the last one's time). Tokens appear \
            only as fingerprints. Exits 1 when no daemon answers.

            Examples:
              oauthtop status
              oauthtop status --json | jq '.providers[] | {name, expires_in, breaker}'
              oauthtop status --socket /run/oauthtop/oauthtop.sock
            """
    )

    @Flag(help: "Print the daemon's answer as JSON (docs/socket.md describes it).")
    var json = false

    @OptionGroup var socket: SocketClientOptions

    func run() async throws {
        let status: SocketStatus
        do {
            status = try await self.socket.client().status()
        } catch {
            throw SocketClientOptions.fail(error)
        }
        if self.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            FileHandle.standardOutput.write(try encoder.encode(status) + Data("\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(status.text.utf8))
        }
    }
}
