import Testing

@testable import Telemetry

@Suite("ListenAddress parsing")
struct ListenAddressTests {
    @Test(arguments: [
        ("127.0.0.1:9464", "127.0.0.1", 9464),
        ("[::1]:9464", "::1", 9464),
        (":9464", "127.0.0.1", 9464),
        ("localhost:0", "localhost", 0),
        (" 0.0.0.0:65535 ", "0.0.0.0", 65535),
    ])
    func parses(text: String, host: String, port: Int) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address == ListenAddress(host: host, port: port))
    }

    @Test(arguments: [
        ("", ListenAddressError.empty(input: ""), "is empty"),
        ("127.0.0.1", .missingPort(input: "127.0.0.1"), "has no port"),
        ("127.0.0.1:", .missingPort(input: "127.0.0.1:"), "has no port"),
        ("[::1]", .missingPort(input: "[::1]"), "has no port"),
        ("127.0.0.1:http", .invalidPort(input: "127.0.0.1:http", port: "http"), "port 'http'"),
        ("127.0.0.1:65536", .invalidPort(input: "127.0.0.1:65536", port: "65536"), "between 0 and 65535"),
        ("127.0.0.1:-1", .invalidPort(input: "127.0.0.1:-1", port: "-1"), "port '-1'"),
        ("::1:9464", .unbracketedIPv6(input: "::1:9464"), "in brackets"),
        ("my host:9464", .invalidHost(input: "my host:9464", host: "my host"), "host 'my host'"),
        ("[nothex]:1", .invalidHost(input: "[nothex]:1", host: "nothex"), "host 'nothex'"),
        ("[fe80::1%eth0]:80", .invalidHost(input: "[fe80::1%eth0]:80", host: "fe80::1%eth0"), "host 'fe80"),
        ("[::1:9464", .invalidHost(input: "[::1:9464", host: "[::1:9464"), "is not a host"),
    ])
    func rejects(text: String, error: ListenAddressError, phrase: String) {
        #expect(throws: error) { try ListenAddress(parsing: text) }
        #expect(error.description.contains(phrase), "\(error.description)")
        if !text.isEmpty {
            #expect(error.description.contains(text))
        }
    }

    @Test func descriptionRoundTrips() throws {
        for text in ["127.0.0.1:9464", "[::1]:9464", "localhost:0"] {
            #expect(try ListenAddress(parsing: text).description == text)
        }
        #expect(ListenAddress.defaultMetrics.description == "127.0.0.1:9464")
    }
}
