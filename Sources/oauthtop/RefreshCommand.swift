import ArgumentParser
import Foundation
import OAuthTopRuntime

struct RefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Refresh a provider's token in the running daemon now (every provider without PROVIDER).",
        discussion: """
            The same manual refresh as the dashboard's `r` key: it joins a refresh in flight, clears \
            a final error such as a revoked grant, and acts as the probe of an open circuit breaker. \
            Prints one line per provider: the new token's fingerprint and expiry, or why the refresh \
            failed. Exits 0 when every refresh succeeded, 1 otherwise or when no daemon answers.

            Examples:
              oauthtop refresh github
              oauthtop refresh
              oauthtop refresh --json github
            """
    )

    @Argument(help: "The provider to refresh; every provider when omitted.")
    var provider: String?

    @Flag(help: "Print the outcome as JSON.")
    var json = false

    @OptionGroup var socket: SocketClientOptions

    func run() async throws {
        let outcome: SocketRefreshOutcome
        do {
            outcome = try await self.socket.client().refresh(provider: self.provider)
        } catch {
            throw SocketClientOptions.fail(error)
        }
        if self.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            FileHandle.standardOutput.write(try encoder.encode(outcome) + Data("\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(outcome.text.utf8))
        }
        if !outcome.succeeded { throw ExitCode(1) }
    }
}
