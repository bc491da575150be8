/// bench-identity-provider: the demo identity provider as a process of its own, for benchmarks that
/// run `oauthtop run --headless` against it (Benchmarks/socket-compare).
///
/// It serves one token endpoint on 127.0.0.1 (a free port), knows one client whose secret it reads
/// from a file (never from argv), issues access tokens of a long lifetime and injects no faults.
/// It prints the endpoint's URL as one line on stdout once it listens, and runs until SIGTERM or
/// SIGINT. It must not print a secret.
///
/// Usage: bench-identity-provider CLIENT_ID SECRET_FILE [LIFETIME_SECONDS]
import DemoIdentityProvider
import Foundation
import Logging

let arguments = CommandLine.arguments
guard arguments.count == 3 || arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: bench-identity-provider CLIENT_ID SECRET_FILE [LIFETIME_SECONDS]\n".utf8))
    exit(2)
}
let clientID = arguments[1]
let secretFile = arguments[2]
let lifetime = arguments.count == 4 ? Int(arguments[3]) : 3600
guard let lifetime, lifetime > 0 else {
    FileHandle.standardError.write(Data("bench-identity-provider: LIFETIME_SECONDS must be a positive number\n".utf8))
    exit(2)
}
let secret: String
do {
    secret = try String(contentsOfFile: secretFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
} catch {
    FileHandle.standardError.write(Data("bench-identity-provider: cannot read \(secretFile): \(error)\n".utf8))
    exit(1)
}
guard secret.utf8.count >= 32 else {
    FileHandle.standardError.write(Data("bench-identity-provider: the secret in \(secretFile) is under 32 bytes\n".utf8))
    exit(1)
}

var configuration = DemoIdentityProviderConfiguration()
configuration.endpoints = [DemoEndpointSpec(name: "primary")]
configuration.clients = [DemoClient(id: clientID, secret: secret)]
configuration.tokenLifetime = .seconds(lifetime)
let provider = DemoIdentityProvider(
    configuration: configuration, schedule: .none,
    logger: Logger(label: "bench.idp", factory: { _ in SwiftLogNoOpLogHandler() })
)
let server = Task { try await provider.run() }
do {
    let endpoints = try await provider.waitUntilListening()
    // Unbuffered, so the script waiting for the line sees it now.
    FileHandle.standardOutput.write(Data((endpoints[0].url + "\n").utf8))
} catch {
    FileHandle.standardError.write(Data("bench-identity-provider: not listening: \(error)\n".utf8))
    exit(1)
}
do {
    try await server.value
} catch {
    FileHandle.standardError.write(Data("bench-identity-provider: stopped: \(error)\n".utf8))
    exit(1)
}
