import Primitives
import Testing

@Suite("FileMode: octal mode strings")
struct FileModeTests {
    @Test(
        "octal strings with a leading 0 or 0o parse to their permission bits",
        arguments: [
            ("0600", 0o600), ("0640", 0o640), ("0o640", 0o640), ("0O644", 0o644), ("00640", 0o640), ("0777", 0o777),
            ("0400", 0o400), ("000", 0),
        ] as [(String, UInt32)]
    )
    func valid(text: String, permissions: UInt32) throws {
        let mode = try FileMode(parsing: text)
        #expect(mode.permissions == permissions)
    }

    @Test(
        "decimal-looking, non-octal, special and out-of-range values are refused, never reinterpreted",
        arguments: [
            ("600", "looks decimal"), ("640", "looks decimal"), ("384", "looks decimal"), ("420", "looks decimal"),
            ("", "must not be empty"), ("0", "not an octal number"), ("0800", "not an octal number"),
            ("0o", "not an octal number"), ("0x1a4", "not an octal number"), ("rw-r-----", "not an octal number"),
            ("-0600", "not an octal number"), (" 0600", "not an octal number"), ("04755", "setuid, setgid or sticky"),
            ("01777", "setuid, setgid or sticky"), ("000000600", "out of range"),
        ] as [(String, String)]
    )
    func invalid(text: String, reason: String) {
        #expect {
            try FileMode(parsing: text)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test("a decimal-looking value made of octal digits suggests the octal spelling")
    func suggestion() {
        #expect(throws: FileModeError.self) { try FileMode(parsing: "640") }
        do {
            _ = try FileMode(parsing: "640")
        } catch {
            #expect(error.description.contains(#""0640" if that is what you meant"#))
        }
        do {
            _ = try FileMode(parsing: "384")
        } catch {
            #expect(!error.description.contains("if that is what you meant"))
        }
    }

    @Test("description writes the mode back as a configuration would")
    func description() throws {
        #expect(FileMode.ownerReadWrite.description == "0600")
        #expect(try FileMode(parsing: "0o40").description == "0040")
        #expect(try FileMode(parsing: "0644").isWorldReadable)
        #expect(try !FileMode(parsing: "0640").isWorldReadable)
        #expect(try FileMode(parsing: "0660").isWritableByOthers)
    }

    @Test("RFC 3339 in UTC, whole seconds", arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"), (1_796_000_000_999_000_000, "2026-11-30T00:53:20Z"),
        (-1, "1969-12-31T23:59:59Z"),
    ] as [(Int64, String)])
    func rfc3339(nanoseconds: Int64, text: String) {
        #expect(RFC3339.seconds(unixNanoseconds: nanoseconds) == text)
    }
}
