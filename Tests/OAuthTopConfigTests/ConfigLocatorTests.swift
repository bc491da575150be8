import OAuthTopConfig
import Testing

@Suite("Finding oauthtop.yaml")
struct ConfigLocatorTests {
    static let files = FileReader.inMemory([
        "/explicit.yaml": "", "/from-env.yaml": "", "/xdg/oauthtop/oauthtop.yaml": "",
        "/home/ada/.config/oauthtop/oauthtop.yaml": "",
    ])
    static let everything = [
        "OAUTHTOP_CONFIG": "/from-env.yaml", "XDG_CONFIG_HOME": "/xdg", "HOME": "/home/ada",
    ]

    @Test("--config wins over everything")
    func explicitFirst() throws {
        let location = try ConfigLocator.locate(
            explicitPath: "/explicit.yaml",
            environment: Self.everything,
            fileReader: Self.files
        )
        #expect(location == .init(path: "/explicit.yaml", rule: .explicitPath))
    }

    @Test("then $OAUTHTOP_CONFIG")
    func environmentSecond() throws {
        let location = try ConfigLocator.locate(explicitPath: nil, environment: Self.everything, fileReader: Self.files)
        #expect(location == .init(path: "/from-env.yaml", rule: .environmentVariable))
    }

    @Test("then $XDG_CONFIG_HOME, trailing slash or not", arguments: ["/xdg", "/xdg/"])
    func xdgThird(xdg: String) throws {
        let location = try ConfigLocator.locate(
            explicitPath: nil,
            environment: ["XDG_CONFIG_HOME": xdg, "HOME": "/home/ada", "OAUTHTOP_CONFIG": ""],
            fileReader: Self.files
        )
        #expect(location == .init(path: "/xdg/oauthtop/oauthtop.yaml", rule: .xdgConfigHome))
    }

    @Test("then ~/.config when $XDG_CONFIG_HOME is unset or not absolute", arguments: [nil, "", "relative"])
    func homeFallback(xdg: String?) throws {
        var environment = ["HOME": "/home/ada"]
        environment["XDG_CONFIG_HOME"] = xdg
        let location = try ConfigLocator.locate(explicitPath: nil, environment: environment, fileReader: Self.files)
        #expect(location == .init(path: "/home/ada/.config/oauthtop/oauthtop.yaml", rule: .xdgConfigHome))
    }

    @Test("a missing explicit file is an error, not a fall-through")
    func explicitMissing() throws {
        let error = #expect(throws: ConfigError.self) {
            try ConfigLocator.locate(explicitPath: "/nope.yaml", environment: Self.everything, fileReader: Self.files)
        }
        #expect(error?.isNotFound == true)
        #expect(error?.description.contains("/nope.yaml (from --config): no such file") == true)

        let fromEnvironment = #expect(throws: ConfigError.self) {
            try ConfigLocator.locate(
                explicitPath: nil,
                environment: ["OAUTHTOP_CONFIG": "/gone.yaml"],
                fileReader: Self.files
            )
        }
        #expect(fromEnvironment?.description.contains("/gone.yaml (from $OAUTHTOP_CONFIG): no such file") == true)
    }

    @Test("nothing found lists every place looked at")
    func nothingFound() throws {
        let error = #expect(throws: ConfigError.self) {
            try ConfigLocator.locate(explicitPath: nil, environment: ["HOME": "/home/bob"], fileReader: Self.files)
        }
        #expect(
            error?.description == """
                no configuration file found; looked at:
                  - --config: not given
                  - $OAUTHTOP_CONFIG: not set
                  - /home/bob/.config/oauthtop/oauthtop.yaml (XDG config directory): no such file
                write one (see docs/configuration.md) or pass --config FILE
                """
        )
    }
}
