import Foundation
import OAuthTopRuntime
import Primitives
import Testing

/// The credential helpers' formats: git's credential helper protocol (parsing what git writes,
/// formatting the answer) and kubectl's ExecCredential (version from `KUBERNETES_EXEC_INFO`).
@Suite("Credential helper formats")
struct CredentialFormatTests {
    static let token = SocketToken(
        accessToken: Secret("tok-123"), tokenType: "Bearer", expiresAt: "2026-12-05T21:49:13Z", expiresIn: 300
    )

    @Test("git's request: key=value lines up to a blank line; values keep '='; repeated keys kept in order")
    func parsesRequest() throws {
        let input = "protocol=https\nhost=127.0.0.1:8080\nwwwauth[]=Basic realm=\"x\"\nwwwauth[]=Bearer\n"
            + "username=alice\n\nignored=after blank\n"
        let request = try GitCredentialRequest.parse(Array(input.utf8))
        #expect(request.protocol == "https")
        #expect(request.host == "127.0.0.1:8080")
        #expect(request.username == "alice")
        #expect(request.path == nil)
        #expect(request.attributes.filter { $0.key == "wwwauth[]" }.map(\.value) == ["Basic realm=\"x\"", "Bearer"])
        #expect(request.value("ignored") == nil)
        #expect(try GitCredentialRequest.parse(Array("host=a\nhost=b".utf8)).host == "b", "a later line wins, EOF ends")
        #expect(try GitCredentialRequest.parse([UInt8]()).attributes.isEmpty)
        #expect(try GitCredentialRequest.parse(Array("\nx".utf8)).attributes.isEmpty)
        #expect(try GitCredentialRequest.parse(Array("k=\n".utf8)).value("k") == "")
    }

    @Test(
        "bad input names its line",
        arguments: [
            ("protocol=https\nnoequals\n", "line 2: expected key=value, found no '='"),
            ("=value\n", "line 1: the key before '=' is empty"),
            ("a=b\nhost=x\u{0}y\n", "line 2: contains a NUL byte"),
        ]
    )
    func badInput(input: String, message: String) {
        #expect {
            try GitCredentialRequest.parse(Array(input.utf8))
        } throws: { error in
            "\(error)" == "git credential input \(message)"
        }
    }

    @Test("more than 64 KiB is refused, exactly 64 KiB is read")
    func oversize() throws {
        let line = Array("k=".utf8) + [UInt8](repeating: UInt8(ascii: "v"), count: GitCredentialRequest.maxBytes - 2)
        #expect(try GitCredentialRequest.parse(line).value("k")?.utf8.count == GitCredentialRequest.maxBytes - 2)
        #expect(throws: CredentialHelperError.self) { try GitCredentialRequest.parse(line + [0x41]) }
    }

    @Test("the answer: username (flag, else git's, else x-access-token), password, password_expiry_utc")
    func formatsReply() throws {
        let anonymous = try GitCredentialRequest.parse(Array("protocol=https\nhost=h\n".utf8))
        let named = try GitCredentialRequest.parse(Array("protocol=https\nhost=h\nusername=alice\n".utf8))
        let expiry = 1_796_507_353  // 2026-12-05T21:49:13Z
        #expect(
            try GitCredentialReply(request: anonymous, token: Self.token, username: nil).formatted()
                == "username=x-access-token\npassword=tok-123\npassword_expiry_utc=\(expiry)\n"
        )
        #expect(
            try GitCredentialReply(request: named, token: Self.token, username: nil).formatted().hasPrefix(
                "username=alice\n"
            )
        )
        #expect(
            try GitCredentialReply(request: named, token: Self.token, username: "oauth2").formatted().hasPrefix(
                "username=oauth2\n"
            )
        )
        let noExpiry = GitCredentialReply(username: "u", password: Secret("p"), expiryUnixSeconds: nil)
        #expect(try noExpiry.formatted() == "username=u\npassword=p\n")
    }

    @Test("a token with a newline cannot be written, and the error does not show it")
    func unwritable() {
        let reply = GitCredentialReply(username: "u", password: Secret("se\ncret"), expiryUnixSeconds: nil)
        #expect {
            try reply.formatted()
        } throws: { error in
            "\(error)".contains("password contains a newline") && !"\(error)".contains("cret")
        }
    }

    @Test(
        "ExecCredential: the version KUBERNETES_EXEC_INFO asks for; v1beta1 when it is unset",
        arguments: [
            (nil, "client.authentication.k8s.io/v1beta1"),
            ("", "client.authentication.k8s.io/v1beta1"),
            (
                #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","#
                    + #""spec":{"interactive":false}}"#,
                "client.authentication.k8s.io/v1"
            ),
            (
                #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{}}"#,
                "client.authentication.k8s.io/v1beta1"
            ),
        ] as [(String?, String)]
    )
    func execCredential(execInfo: String?, version: String) throws {
        let credential = try ExecCredential(execInfo: execInfo, token: Self.token)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(credential.json().utf8)) as? [String: Any]
        )
        #expect(object["apiVersion"] as? String == version)
        #expect(object["kind"] as? String == "ExecCredential")
        let status = try #require(object["status"] as? [String: String])
        #expect(status == ["token": "tok-123", "expirationTimestamp": "2026-12-05T21:49:13Z"])
        #expect(!"\(credential)".contains("tok-123"), "printing the value shows a fingerprint only")
    }

    @Test("an expiry with an offset or fraction is written in UTC with whole seconds")
    func expiryInUTC() throws {
        let token = SocketToken(
            accessToken: Secret("t"), tokenType: "Bearer", expiresAt: "2026-12-05T22:49:13.5+01:00", expiresIn: 1
        )
        #expect(try ExecCredential(execInfo: nil, token: token).expirationTimestamp == "2026-12-05T21:49:13Z")
    }

    @Test(
        "a malformed KUBERNETES_EXEC_INFO gets a clear error",
        arguments: [
            ("{", "KUBERNETES_EXEC_INFO: not JSON (1 bytes)"),
            ("[1]", "KUBERNETES_EXEC_INFO: expected a JSON object"),
            (#"{"kind":"ExecCredential"}"#, "KUBERNETES_EXEC_INFO: no apiVersion"),
            (#"{"apiVersion":3}"#, "KUBERNETES_EXEC_INFO: apiVersion is not a string"),
            (
                #"{"apiVersion":"client.authentication.k8s.io/v1alpha1"}"#,
                "KUBERNETES_EXEC_INFO: apiVersion 'client.authentication.k8s.io/v1alpha1' is not supported; "
                    + "expected client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1"
            ),
        ]
    )
    func badExecInfo(execInfo: String, message: String) {
        #expect {
            try ExecCredential.apiVersion(execInfo: execInfo)
        } throws: { error in
            "\(error)" == message
        }
    }
}

/// What `Fuzz/Sources/FuzzGitCredential` checks, run in the ordinary suite over its seed corpus and
/// seeded random mutations: every input gives attributes or an error, never a crash.
@Suite("git credential parsing: fuzz corpus")
struct GitCredentialFuzzCorpusTests {
    static let corpus: [[UInt8]] = {
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Corpus/GitCredential")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.sorted().compactMap { try? Array(Data(contentsOf: directory.appendingPathComponent($0))) }
    }()

    @Test("the seeds and 20,000 mutations of them parse or fail with a message")
    func mutations() {
        #expect(Self.corpus.count >= 5)
        var random = SplitMix64(seed: 0x61F)
        let alphabet = Array("=\n\0\r[]é hostprotocol".utf8)
        for round in 0..<20_000 {
            var bytes = Self.corpus[round % Self.corpus.count]
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let position = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count))
                let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
                switch random.next() % 3 {
                case 0: bytes.insert(byte, at: position)
                case 1: if !bytes.isEmpty { bytes.remove(at: position) }
                default: if !bytes.isEmpty { bytes[position] = byte }
                }
            }
            do {
                let request = try GitCredentialRequest.parse(bytes)
                #expect(request.attributes.allSatisfy { !$0.key.isEmpty && !$0.key.contains("=") })
            } catch {
                #expect(error.description.hasPrefix("git credential input"))
            }
        }
    }
}
