import Foundation
import OAuthTopConfig
import OAuthTopRuntime
import OAuthTopTestKit
import Testing

/// The upstream's TLS: verified against `ca_file` (an IP address SAN for `https://127.0.0.1`, a DNS name for
/// `https://localhost`); an untrusted or misnamed certificate is a 502 before anything is forwarded.
@Suite("API proxy: TLS to the upstream, verified against ca_file")
struct UpstreamTLSTests {
    private static let names = ["IP:127.0.0.1", "DNS:localhost"]

    @Test("a certificate the CA signed, for 127.0.0.1 (IP SAN) and localhost (DNS name): served, kept alive, a dropped one retried", arguments: ["127.0.0.1", "localhost"])
    func trusted(host: String) async throws {
        try await withRawUpstreamProxy(
            certificate: { try await TestCertificates.server(in: $0, name: "upstream", names: Self.names) },
            upstreamURL: { "https://\(host):\($0.port)" },
            caFile: { try await TestCertificates.authority(in: $0) }
        ) { proxy, upstream, secret in
            for _ in 0..<3 {
                let answer = try await curlThrough(proxy.url + "/ok", secret: secret)
                #expect(answer.status == 200 && answer.body.hasPrefix("ok "), "\(answer.status) \(answer.body)")
            }
            #expect(upstream.accepted == 1, "one TLS connection for the three: \(upstream.events)")
            // The upstream drops the kept-alive connection without close_notify as the next request arrives:
            // that is a close like any other, and the request is sent again on a new connection.
            let retried = try await curlThrough(proxy.url + "/drop-if-reused", secret: secret)
            #expect(retried.status == 200 && retried.body.hasPrefix("ok "), "\(retried.status) \(retried.body)")
            #expect(upstream.events.contains { $0.hasPrefix("dropped ") })
        }
    }

    @Test(
        "an untrusted certificate, or one for another name: 502 upstream_unreachable, nothing forwarded, no secret told",
        arguments: [("untrusted", "127.0.0.1"), ("untrusted", "localhost"), ("misnamed", "127.0.0.1"), ("misnamed", "localhost")]
    )
    func refused(kind: String, host: String) async throws {
        try await withRawUpstreamProxy(
            certificate: { directory in
                kind == "untrusted"
                    ? try await TestCertificates.server(in: directory, name: "upstream", names: Self.names, signed: false)
                    : try await TestCertificates.server(in: directory, name: "upstream", names: ["DNS:wrong.example"])
            },
            upstreamURL: { "https://\(host):\($0.port)" },
            caFile: { try await TestCertificates.authority(in: $0) }
        ) { proxy, upstream, secret in
            let answer = try await curlThrough(proxy.url + "/ok", secret: secret)
            #expect(answer.status == 502, "\(answer.body)")
            #expect(answer.body.contains("\"upstream_unreachable\""))
            #expect(upstream.requests("/ok").isEmpty, "nothing reached the upstream: \(upstream.events)")
            let token = try await proxy.currentToken()
            let output = answer.body + proxy.logs.lines.joined(separator: "\n")
            #expect(!output.contains(token) && !output.contains(secret), "no token or local secret in the answer or the logs")
            #expect(!output.contains(ProxyFixture.clientSecret))
        }
    }
}
