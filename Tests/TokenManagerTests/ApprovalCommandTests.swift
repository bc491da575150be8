import Clocks
import Foundation
import Logging
import MetricsTestKit
import OAuthTopTestKit
import Testing

@testable import TokenManager

#if canImport(Glibc)
import Glibc
#endif

/// The emergency key's approval command: asked once per outage, never waited for by callers, and told
/// nothing secret.
@Suite("Fallback chain: the emergency key's approval command")
struct ApprovalCommandTests {
    /// A directory with a script that records its runs (and environment) and ends as `body` says.
    struct Script {
        let directory: URL
        var path: String { self.directory.appendingPathComponent("approve").path }
        var runs: Int {
            ((try? String(contentsOfFile: self.directory.appendingPathComponent("runs").path, encoding: .utf8)) ?? "")
                .split(separator: "\n").count
        }
        var environment: [String: String] {
            let text =
                (try? String(contentsOfFile: self.directory.appendingPathComponent("env").path, encoding: .utf8)) ?? ""
            var result: [String: String] = [:]
            for line in text.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                result[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            return result
        }
        var arguments: String {
            (try? String(contentsOfFile: self.directory.appendingPathComponent("args").path, encoding: .utf8)) ?? ""
        }
        var pid: pid_t? {
            (try? String(contentsOfFile: self.directory.appendingPathComponent("pid").path, encoding: .utf8))
                .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }

        init(_ body: String) throws {
            self.directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "oauthtop-approve-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
            let dir = self.directory.path
            let text = """
                #!/bin/sh
                echo $$ > '\(dir)/pid'
                env > '\(dir)/env'
                echo "$@" > '\(dir)/args'
                echo run >> '\(dir)/runs'
                \(body)

                """
            _ = FileManager.default.createFile(
                atPath: self.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o755])
        }

        func remove() { try? FileManager.default.removeItem(at: self.directory) }
    }

    static func manager(
        _ entry: FallbackCredential, clock: TestClock<Duration>, transport: RoutedTransport = RoutedTransport(),
        events: EventRecorder, metrics: TestMetrics = TestMetrics()
    ) -> OAuthTokenManager {
        FallbackTests.manager(
            [FallbackTests.provider("p", fallback: [entry])], transport, clock: clock, metrics: metrics, events: events)
    }

    static func key(_ script: Script, timeout: Duration = .seconds(300), file: String? = nil) -> FallbackCredential {
        .emergencyKey(
            Secret(FallbackTests.emergencyValue), maxDuration: .seconds(600), approvalFile: file,
            approvalCommand: ApprovalCommand([script.path, "--team", "on call"], timeout: timeout)
        )
    }

    @Test("exit 0 approves, once per outage; callers do not wait for it; it sees the outage and no secret")
    func approves() async throws {
        let script = try Script("exit 0")
        defer { script.remove() }
        let clock = TestClock()
        let events = EventRecorder()
        let metrics = TestMetrics()
        let manager = Self.manager(Self.key(script), clock: clock, events: events, metrics: metrics)
        let first = await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        #expect(
            first?.description.contains("awaiting approval: approval command '\(script.path)' asked") == true,
            "\(String(describing: first))")
        #expect(events.kinds(.fallbackRefused).first?["reason"] == .string("approval_pending"))
        #expect(first?.tried.map(\.reason) == ["connection_refused", "approval_pending"])
        #expect(first?.tried.last?.method == "emergency_key")
        #expect(await eventually { (try? await manager.token(for: "p"))?.fallback == .emergencyKey })
        for _ in 0..<5 { #expect(try await manager.token(for: "p").fallback == .emergencyKey) }
        #expect(script.runs == 1, "asked once for the outage")
        #expect(script.arguments == "--team on call\n", "argv as given, no shell splitting")

        let environment = script.environment
        #expect(environment["OAUTHTOP_PROVIDER"] == "p")
        #expect(environment["OAUTHTOP_REASON"] == "connection_refused")
        #expect(environment["OAUTHTOP_DURATION_SECONDS"] == "600")
        #expect(environment["OAUTHTOP_ENTRY"] == "1")
        #expect(environment["OAUTHTOP_KEY_SHA256"] == Secret.fingerprint(of: FallbackTests.emergencyValue))
        #expect(environment["OAUTHTOP_ERROR"]?.contains("provider 'p'") == true)
        let allowed: Set<String> = [
            "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR", "PWD", "OLDPWD", "SHLVL", "_",
            "OAUTHTOP_PROVIDER", "OAUTHTOP_REASON", "OAUTHTOP_ERROR", "OAUTHTOP_DURATION_SECONDS", "OAUTHTOP_ENTRY",
            "OAUTHTOP_KEY_SHA256",
        ]
        #expect(Set(environment.keys).subtracting(allowed).isEmpty, "\(environment.keys.sorted())")
        let dump = environment.map { "\($0)=\($1)" }.joined(separator: "\n")
        for secret in [FallbackTests.emergencyValue, "client-secret-123", "refresh-p"] {
            #expect(!dump.contains(secret))
        }
        let engaged = try #require(events.kinds(.fallbackEngaged).first)
        #expect(engaged["approved_by"] == .string("command"))
        #expect(FallbackTests.uses(metrics, "p", "emergency_key") == 6)
    }

    @Test("a non-zero exit refuses, with its status and first line, and the refusal stands for the outage")
    func refuses() async throws {
        let script = try Script(
            "echo 'denied by alice'; echo 'second line'; echo \(FallbackTests.emergencyValue); exit 3")
        defer { script.remove() }
        let clock = TestClock()
        let events = EventRecorder()
        let manager = Self.manager(Self.key(script), clock: clock, events: events)
        _ = try? await manager.token(for: "p")
        let refused = await eventually {
            do {
                _ = try await manager.token(for: "p")
                return false
            } catch {
                return String(describing: error).contains(
                    "not approved: approval command '\(script.path)' exited with status 3: denied by alice")
            }
        }
        #expect(refused)
        for _ in 0..<5 { await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") } }
        #expect(script.runs == 1)
        let reasons = events.kinds(.fallbackRefused).map { $0["reason"] }
        #expect(reasons == [.string("approval_pending"), .string("not_approved")])
        let shown = events.all.map { "\($0)" }.joined()
        #expect(!shown.contains("second line"))
        #expect(!shown.contains(FallbackTests.emergencyValue))
    }

    @Test("a command that does not answer within its timeout is killed and counts as a refusal")
    func timeout() async throws {
        let script = try Script("exec sleep 1000")
        defer { script.remove() }
        let clock = TestClock()
        let events = EventRecorder()
        let manager = Self.manager(Self.key(script, timeout: .seconds(60)), clock: clock, events: events)
        _ = try? await manager.token(for: "p")
        #expect(await eventually { script.pid != nil })
        let pid = try #require(script.pid)
        // The command waits on the test clock: advance it until the time limit has passed for it.
        let refused = await eventually {
            await clock.advance(by: .seconds(61))
            do {
                _ = try await manager.token(for: "p")
                return false
            } catch {
                return String(describing: error).contains("gave no answer within 60s and was killed")
            }
        }
        #expect(refused)
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "the command is gone")
        #expect(events.kinds(.fallbackRefused).last?["reason"] == .string("not_approved"))
    }

    @Test("the manager's shutdown kills a command still asking")
    func shutdownKills() async throws {
        let script = try Script("exec sleep 1000")
        defer { script.remove() }
        let manager = Self.manager(Self.key(script), clock: TestClock(), events: EventRecorder())
        _ = try? await manager.token(for: "p")
        #expect(await eventually { script.pid != nil })
        let pid = try #require(script.pid)
        #expect(kill(pid, 0) == 0)
        await manager.shutdown()
        #expect(await eventually { kill(pid, 0) == -1 && errno == ESRCH })
    }

    @Test("OAuth's return ends the outage: a command still running is killed, and the next outage asks again")
    func returnToOAuth() async throws {
        let script = try Script("exit 0")
        defer { script.remove() }
        let clock = TestClock()
        let events = EventRecorder()
        let transport = RoutedTransport()
        let manager = Self.manager(Self.key(script), clock: clock, transport: transport, events: events)
        #expect(await eventually { (try? await manager.token(for: "p"))?.fallback == .emergencyKey })
        transport.script("p.test", [.token("t1", expiresIn: 100)])
        await clock.advance(by: .seconds(31))
        let real = try await manager.token(for: "p")
        #expect(real.value.revealed == "t1" && !real.isFallback)
        #expect(events.kinds(.fallbackEnded).count == 1)
        // The token expires and OAuth fails again: a new outage, a new question.
        await clock.advance(by: .seconds(101))
        #expect(await eventually { (try? await manager.token(for: "p"))?.fallback == .emergencyKey })
        #expect(script.runs == 2)
    }

    @Test("with an approval file as well, both must approve; the command is not asked while the file is missing")
    func fileAndCommand() async throws {
        let script = try Script("exit 0")
        defer { script.remove() }
        let file = script.directory.appendingPathComponent("approved").path
        let clock = TestClock()
        let events = EventRecorder()
        let manager = Self.manager(Self.key(script, file: file), clock: clock, events: events)
        let error = await #expect(throws: TokenRefreshError.self) { try await manager.token(for: "p") }
        #expect(error?.description.contains("approval file '\(file)' does not exist") == true)
        #expect(script.runs == 0)
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        #expect(await eventually { (try? await manager.token(for: "p"))?.fallback == .emergencyKey })
        #expect(script.runs == 1)
        #expect(events.kinds(.fallbackEngaged).first?["approved_by"] == .string("file+command"))
    }

    @Test("a command that cannot start refuses with the reason")
    func missingProgram() async throws {
        let clock = TestClock()
        let events = EventRecorder()
        let entry = FallbackCredential.emergencyKey(
            Secret(FallbackTests.emergencyValue), maxDuration: .seconds(60),
            approvalCommand: ApprovalCommand(["/nonexistent/oauthtop-approve"])
        )
        let manager = Self.manager(entry, clock: clock, events: events)
        let refused = await eventually {
            do {
                _ = try await manager.token(for: "p")
                return false
            } catch {
                return String(describing: error).contains(
                    "could not be started: cannot start '/nonexistent/oauthtop-approve': no such file")
            }
        }
        #expect(refused)
    }

    @Test("the refusal's first line: printable, bounded, the key replaced by its fingerprint")
    func firstLine() {
        let key = Secret("k-0123456789")
        #expect(
            ApprovalGate.firstLine(Array("\n  \nno: k-0123456789\u{7}\nmore".utf8), scrubbing: key)
                == "no: \(key)")
        #expect(ApprovalGate.firstLine([], scrubbing: key) == nil)
        #expect(ApprovalGate.firstLine(Array(String(repeating: "x", count: 500).utf8), scrubbing: key)?.count == 203)
        #expect(ApprovalGate.firstLine([0xFF, 0xFE, 0x0A], scrubbing: key) == "\u{FFFD}\u{FFFD}")
    }
}
