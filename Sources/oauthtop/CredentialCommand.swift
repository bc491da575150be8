import ArgumentParser
import Foundation
import OAuthTopRuntime

/// `oauthtop credential git|kubectl`: credential helpers that hand other tools a token from the daemon.
struct CredentialCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credential",
        abstract: "Credential helpers for git and kubectl, served by the running daemon (docs/credential-helpers.md).",
        discussion: """
            Existing tools get a fresh token with no wrapper script: git through its credential \
            helper protocol, kubectl through an exec plugin. Both ask the daemon \
            (`oauthtop run --headless`) over its token socket, so many processes share one refresher.

            Examples:
              git config credential.helper '!oauthtop credential git --provider github'
              oauthtop help credential kubectl    # a kubeconfig user that runs the plugin
            """,
        subcommands: [GitCredentialCommand.self, KubectlCredentialCommand.self]
    )
}

/// `--provider NAME` of the credential helpers.
struct CredentialProviderOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The provider whose token to hand out. May be left out when the daemon serves one provider.",
            valueName: "name"
        )
    )
    var provider: String?

    /// A valid token of the chosen provider, or an exit after printing why there is none.
    func token(_ socket: SocketClientOptions) async throws -> SocketToken {
        let client = socket.client()
        do {
            let provider = try await CredentialProviderChoice.resolve(explicit: self.provider, client: client)
            return try await client.token(provider: provider)
        } catch let error as TokenSocketClientError {
            throw SocketClientOptions.fail(error)
        } catch {
            throw CredentialCommand.fail(error)
        }
    }
}

extension CredentialCommand {
    /// Prints `error` to stderr and returns exit code 1.
    static func fail(_ error: any Error) -> ExitCode {
        FileHandle.standardError.write(Data("oauthtop: \(error)\n".utf8))
        return ExitCode(1)
    }
}

struct GitCredentialCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "git",
        abstract: "A git credential helper: `get` answers the provider's current token as the password.",
        discussion: """
            Implements git's credential helper protocol (gitcredentials(7)): git writes key=value \
            lines (protocol, host, path, username) to stdin; for `get` this prints username, \
            password (the token) and password_expiry_utc. `store` and `erase` read their input and \
            do nothing: the daemon owns the token. The request's protocol and host are not checked, \
            so scope the helper to a URL in git's config. The user name is --username, else the \
            one git sends, else x-access-token. Exits 1 on input that is not key=value lines, \
            or when the daemon has no valid token.

            Examples:
              git config --global credential.https://git.example.com.helper \\
                '!oauthtop credential git --provider github'
              printf 'protocol=https\\nhost=git.example.com\\n\\n' | git credential fill
            """
    )

    @Argument(help: "The operation git asks for: get, store or erase.")
    var operation: String

    @OptionGroup var provider: CredentialProviderOptions

    @Option(help: ArgumentHelp("The user name to answer (default: git's, else x-access-token).", valueName: "name"))
    var username: String?

    @OptionGroup var socket: SocketClientOptions

    func validate() throws {
        guard ["get", "store", "erase"].contains(self.operation) else {
            throw ValidationError("unknown operation '\(self.operation)': expected get, store or erase")
        }
    }

    func run() async throws {
        let request: GitCredentialRequest
        do {
            // One byte over the limit, so that an oversize input is refused rather than cut.
            let input = try FileHandle.standardInput.read(upToCount: GitCredentialRequest.maxBytes + 1) ?? Data()
            request = try GitCredentialRequest.parse(input)
        } catch {
            throw CredentialCommand.fail(error)
        }
        guard self.operation == "get" else { return }
        let token = try await self.provider.token(self.socket)
        do {
            let reply = GitCredentialReply(request: request, token: token, username: self.username)
            FileHandle.standardOutput.write(Data(try reply.formatted().utf8))
        } catch {
            throw CredentialCommand.fail(error)
        }
    }
}

struct KubectlCredentialCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubectl",
        abstract: "A kubectl exec plugin: prints an ExecCredential with the provider's current token.",
        discussion: """
            Prints a client.authentication.k8s.io ExecCredential (v1 or v1beta1, as \
            $KUBERNETES_EXEC_INFO asks; v1beta1 when it is unset) with the token and its \
            expirationTimestamp, so kubectl reuses the token until it expires (within one \
            process: kubectl v1.32 runs the plugin for each command, and the daemon answers each run \
            from its cache). The cluster's server must be https://: kubectl v1.32 sends no credential \
            over plain http. Exits 1 when \
            $KUBERNETES_EXEC_INFO is malformed or the daemon has no valid token.

            Example kubeconfig user:
              users:
                - name: oauthtop
                  user:
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: oauthtop
                      args: [credential, kubectl, --provider, cluster]
                      interactiveMode: Never
            """
    )

    @OptionGroup var provider: CredentialProviderOptions

    @OptionGroup var socket: SocketClientOptions

    func run() async throws {
        let execInfo = ProcessInfo.processInfo.environment["KUBERNETES_EXEC_INFO"]
        do {
            _ = try ExecCredential.apiVersion(execInfo: execInfo)
        } catch {
            throw CredentialCommand.fail(error)
        }
        let token = try await self.provider.token(self.socket)
        do {
            let credential = try ExecCredential(execInfo: execInfo, token: token)
            FileHandle.standardOutput.write(Data((credential.json() + "\n").utf8))
        } catch {
            throw CredentialCommand.fail(error)
        }
    }
}
