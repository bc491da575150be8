import ArgumentParser
import Foundation
import OAuthTopRuntime

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print a provider's current access token from the running daemon, for scripts.",
        discussion: """
            Like `gcloud auth print-access-token`: prints the token alone, followed by a newline. A \
            token in its mandatory window is refreshed first (a request during a refresh waits for \
            it), so the token printed is valid. With --json prints {access_token, token_type, \
            expires_at, expires_in} as `az account get-access-token` does.

            It refuses to print a token to a terminal, where it would stay in the scrollback, \
            unless --show is given; pipes and command substitution need no flag. Exits 1 when the \
            provider is unknown, its refresh failed, or no daemon answers.

            Examples:
              oauthtop token github | sed 's/^/Authorization: Bearer /' | curl -H @- https://api.github.com/user
              oauthtop token github --json | jq -r .expires_at
              oauthtop token github --show
            """
    )

    @Argument(help: "The provider whose token to print.")
    var provider: String

    @Flag(help: "Print {access_token, token_type, expires_at, expires_in} as JSON.")
    var json = false

    @Flag(help: "Print the token even when stdout is a terminal.")
    var show = false

    @OptionGroup var socket: SocketClientOptions

    func run() async throws {
        if isatty(STDOUT_FILENO) == 1, !self.show {
            FileHandle.standardError.write(
                Data("oauthtop: refusing to print a token to a terminal; pipe it, or add --show\n".utf8)
            )
            throw ExitCode(1)
        }
        let token: SocketToken
        do {
            token = try await self.socket.client().token(provider: self.provider)
        } catch {
            throw SocketClientOptions.fail(error)
        }
        if self.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            FileHandle.standardOutput.write(try encoder.encode(token) + Data("\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data((token.accessToken.revealed + "\n").utf8))
        }
    }
}
