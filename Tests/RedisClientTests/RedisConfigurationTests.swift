import Primitives
import RedisClient
import Testing

@Suite struct RedisConfigurationTests {
    @Test func parsesAFullURL() throws {
        let configuration = try RedisConfiguration(url: "rediss://oauthtop:p%40ss:w/rd@redis.internal:6380/2")
        #expect(configuration.host == "redis.internal")
        #expect(configuration.port == 6380)
        #expect(configuration.database == 2)
        #expect(configuration.username == "oauthtop")
        #expect(configuration.password?.revealed == "p@ss:w/rd")
        #expect(configuration.tls.isEnabled)
    }

    @Test func defaultsAndShortForms() throws {
        let plain = try RedisConfiguration(url: "redis://localhost")
        #expect(plain.port == 6379)
        #expect(plain.database == 0)
        #expect(plain.username == nil)
        #expect(plain.password == nil)
        #expect(!plain.tls.isEnabled)
        #expect(plain.poolSize == 4)

        let passwordOnly = try RedisConfiguration(url: "redis://:hunter2@10.0.0.5/")
        #expect(passwordOnly.username == nil)
        #expect(passwordOnly.password?.revealed == "hunter2")
        #expect(passwordOnly.host == "10.0.0.5")

        let ipv6 = try RedisConfiguration(url: "redis://[::1]:7000/15")
        #expect(ipv6.host == "::1")
        #expect(ipv6.port == 7000)
        #expect(ipv6.database == 15)

        let userOnly = try RedisConfiguration(url: "redis://worker@cache", password: Secret("from-env"))
        #expect(userOnly.username == "worker")
        #expect(userOnly.password?.revealed == "from-env")
    }

    @Test func aSeparatePasswordWinsOverTheURLs() throws {
        let configuration = try RedisConfiguration(url: "redis://u:inurl@h", password: Secret("separate"))
        #expect(configuration.password?.revealed == "separate")
    }

    @Test(arguments: [
        ("http://h", "scheme 'http'"),
        ("localhost:6379", "start with redis://"),
        ("redis://", "host is empty"),
        ("redis://:6379", "host is empty"),
        ("redis://h:0", "port '0'"),
        ("redis://h:70000", "port '70000'"),
        ("redis://h:abc", "port (after the host's ':')"),
        ("redis://h/x", "database 'x'"),
        ("redis://h/-1", "database '-1'"),
        ("redis://h?db=1", "a query"),
        ("redis://ho st", "host 'ho st'"),
        ("redis://[::1", "host '[::1'"),
        ("redis://u:%zz@h", "the password"),
        ("redis://%zz:pw@h", "the username"),
    ])
    func namesThePartThatIsWrong(_ url: String, _ expected: String) {
        let error = #expect(throws: RedisConfigurationError.self) { try RedisConfiguration(url: url) }
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "no error")")
    }

    @Test(arguments: [
        "redis://user:sw0rdfish@h:notaport",
        "redis://user:sw0rdfish",
        "redis://user:sw0rdfish@h/notadb",
        "redis://user:sw0rdfish%zz@h",
        "redis://user:sw0rdfish@h?x=1",
        "redis://user:sw0rdfish@bad host",
    ])
    func errorsNeverEchoThePassword(_ url: String) {
        let error = #expect(throws: RedisConfigurationError.self) { try RedisConfiguration(url: url) }
        #expect(error.map { !String(describing: $0).contains("sw0rdfish") } == true)
    }

    @Test func validateNamesTheField() {
        var configuration = RedisConfiguration(host: "h")
        configuration.poolSize = 0
        #expect(throws: RedisConfigurationError.self) { try configuration.validate() }
        configuration.poolSize = 1
        configuration.commandTimeout = .zero
        let error = #expect(throws: RedisConfigurationError.self) { try configuration.validate() }
        #expect(error?.description.contains("command_timeout") == true)
    }

    @Test func backoffDoublesToItsMaximumWithJitterInTheUpperHalf() {
        let low = RedisReconnectBackoff(base: .milliseconds(100), max: .seconds(1), random: { 0 })
        let high = RedisReconnectBackoff(base: .milliseconds(100), max: .seconds(1), random: { 0.999_999 })
        #expect(low.delay(afterFailures: 0) == .zero)
        #expect(low.delay(afterFailures: 1) == .milliseconds(50))
        #expect(low.delay(afterFailures: 2) == .milliseconds(100))
        #expect(low.delay(afterFailures: 3) == .milliseconds(200))
        #expect(low.delay(afterFailures: 10) == .milliseconds(500))
        #expect(low.delay(afterFailures: Int.max) == .milliseconds(500))
        #expect(high.delay(afterFailures: 10) <= .seconds(1))
        #expect(high.delay(afterFailures: 10) > .milliseconds(999))
    }

    @Test func scriptKnowsItsSHA1() {
        // `redis-cli SCRIPT LOAD "return 1"` answers this digest.
        #expect(RedisScript("return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }
}
