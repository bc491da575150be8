import Foundation
import Primitives

/// A Kubernetes `client.authentication.k8s.io` ExecCredential, what a kubectl exec plugin prints:
/// the token and its `expirationTimestamp`, so that kubectl reuses it until it expires.
public struct ExecCredential: Sendable, Hashable {
    /// The ExecCredential API version, taken from `KUBERNETES_EXEC_INFO`.
    public struct APIVersion: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        public static let v1 = APIVersion("client.authentication.k8s.io/v1")
        public static let v1beta1 = APIVersion("client.authentication.k8s.io/v1beta1")
        /// The versions a plugin may be asked for (v1alpha1 left Kubernetes in 1.24).
        public static let all: [APIVersion] = [.v1, .v1beta1]

        public init?(rawValue: String) {
            guard let known = Self.all.first(where: { $0.rawValue == rawValue }) else { return nil }
            self = known
        }

        public var description: String { self.rawValue }
    }

    public var apiVersion: APIVersion
    public var token: Secret
    /// RFC 3339 in UTC.
    public var expirationTimestamp: String

    public init(apiVersion: APIVersion, token: Secret, expirationTimestamp: String) {
        self.apiVersion = apiVersion
        self.token = token
        self.expirationTimestamp = expirationTimestamp
    }

    /// The version kubectl asks for in `KUBERNETES_EXEC_INFO` (the `ExecCredential` whose `spec` it
    /// passes to the plugin).
    ///
    /// - Parameter execInfo: The variable's value; `nil` or blank when unset, as old kubectl leaves it.
    /// - Returns: Its `apiVersion`, or ``APIVersion/v1beta1`` when the variable is unset.
    /// - Throws: ``CredentialHelperError`` when the value is not a JSON object, has no string
    ///   `apiVersion`, or names a version this plugin does not write.
    public static func apiVersion(execInfo: String?) throws(CredentialHelperError) -> APIVersion {
        guard let execInfo, !execInfo.allSatisfy(\.isWhitespace) else { return .v1beta1 }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(execInfo.utf8), options: [.fragmentsAllowed])
        } catch {
            throw .badExecInfo("not JSON (\(execInfo.utf8.count) bytes)")
        }
        guard let dictionary = object as? [String: Any] else { throw .badExecInfo("expected a JSON object") }
        guard let raw = dictionary["apiVersion"] else { throw .badExecInfo("no apiVersion") }
        guard let version = raw as? String else { throw .badExecInfo("apiVersion is not a string") }
        guard let known = APIVersion(rawValue: version) else { throw .unsupportedAPIVersion(version) }
        return known
    }

    /// The credential for `token`, in the version `execInfo` asks for.
    public init(execInfo: String?, token: SocketToken) throws(CredentialHelperError) {
        self.init(
            apiVersion: try Self.apiVersion(execInfo: execInfo), token: token.accessToken,
            expirationTimestamp: token.expiresAtNanoseconds.map(RFC3339.seconds(unixNanoseconds:)) ?? token.expiresAt
        )
    }

    /// The JSON to print, the token in clear (this is the one place it is sent).
    public func json() -> String {
        let object: [String: Any] = [
            "apiVersion": self.apiVersion.rawValue,
            "kind": "ExecCredential",
            "status": ["token": self.token.revealed, "expirationTimestamp": self.expirationTimestamp],
        ]
        // Strings and a dictionary only: serialisation cannot fail.
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        let data = try? JSONSerialization.data(withJSONObject: object, options: options)
        return String(decoding: data ?? Data(), as: UTF8.self)
    }
}
