import JWTKit
import Primitives

/// A GitHub App installation whose installation token is a fallback credential.
///
/// The manager signs a short-lived app JWT (RS256 with ``privateKey``: `iss` the app, `iat` 60 s in
/// the past against clock drift, `exp` at most 10 minutes after `iat` as GitHub requires) and
/// exchanges it at `POST {apiURL}/app/installations/{installationID}/access_tokens` for an
/// installation token, which is cached until shortly before its `expires_at` (the provider's
/// mandatory refresh window). See GitHub's "Authenticating as a GitHub App installation".
public struct GitHubAppInstallation: Sendable, Hashable, CustomStringConvertible {
    /// The app's id (or its client id, which GitHub also accepts as `iss`).
    public let appID: String
    /// The installation whose token is requested (digits).
    public let installationID: String
    /// The app's private key, PEM (PKCS#1 `RSA PRIVATE KEY` as GitHub issues it, or PKCS#8).
    public let privateKey: Secret
    /// GitHub's REST API root, without a trailing slash; `https://api.github.com` unless GitHub
    /// Enterprise Server (`https://HOST/api/v3`).
    public let apiURL: String

    /// GitHub's REST API on github.com.
    public static let defaultAPIURL = "https://api.github.com"

    /// Checks the key and the ids, so that a mistake is found when the configuration is read, not
    /// during an outage.
    ///
    /// - Parameters:
    ///   - appID: The app's id or client id.
    ///   - installationID: The installation's id (digits only).
    ///   - privateKey: The app's private key in PEM form; never shown, not even in errors.
    ///   - apiURL: The REST API root.
    /// - Throws: ``GitHubAppError`` naming what is wrong.
    public init(
        appID: String,
        installationID: String,
        privateKey: Secret,
        apiURL: String = GitHubAppInstallation.defaultAPIURL
    ) throws(GitHubAppError) {
        guard !appID.isEmpty, appID.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw .invalidAppID
        }
        guard !installationID.isEmpty, installationID.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalidInstallationID
        }
        _ = try Self.signingKey(privateKey)
        self.appID = appID
        self.installationID = installationID
        self.privateKey = privateKey
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
    }

    /// The installation-token endpoint.
    public var accessTokensURL: String { "\(self.apiURL)/app/installations/\(self.installationID)/access_tokens" }

    public var description: String { "GitHub App \(self.appID) installation \(self.installationID)" }

    /// Parses the PEM into an RSA key (jwt-kit refuses keys shorter than 2048 bits).
    static func signingKey(_ pem: Secret) throws(GitHubAppError) -> Insecure.RSA.PrivateKey {
        guard pem.revealed.contains("PRIVATE KEY-----") else { throw .notPEM }
        do {
            return try Insecure.RSA.PrivateKey(pem: pem.revealed)
        } catch {
            // The underlying error is not shown: parsers may quote the input they choked on.
            throw .notRSAKey
        }
    }
}

/// Why a ``GitHubAppInstallation`` cannot be used; the message never includes the key.
public struct GitHubAppError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case invalidAppID, invalidInstallationID, notPEM, notRSAKey
    }

    private let code: Code

    private init(_ code: Code) { self.code = code }

    /// The app id is empty or contains spaces.
    public static let invalidAppID = GitHubAppError(.invalidAppID)
    /// The installation id is not a number.
    public static let invalidInstallationID = GitHubAppError(.invalidInstallationID)
    /// The key is not PEM text.
    public static let notPEM = GitHubAppError(.notPEM)
    /// The PEM does not hold an RSA private key of at least 2048 bits.
    public static let notRSAKey = GitHubAppError(.notRSAKey)

    public var description: String {
        switch self.code {
        case .invalidAppID: "the app id must be a non-empty word (the app's id or client id)"
        case .invalidInstallationID: "the installation id must be a number"
        case .notPEM:
            "the private key is not PEM text (expected '-----BEGIN RSA PRIVATE KEY-----' as GitHub issues it)"
        case .notRSAKey:
            "the private key is not a readable RSA private key of at least 2048 bits in PEM form "
                + "(its text is not shown)"
        }
    }
}
