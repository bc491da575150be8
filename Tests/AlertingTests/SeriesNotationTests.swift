import Alerting
import Testing

@Suite("Series notation")
struct SeriesNotationTests {
    static func values(_ numbers: Double...) -> [SeriesPoint] { numbers.map { .value($0) } }

    @Test(
        "items expand as promtool expands them",
        arguments: [
            ("1 2 3", values(1, 2, 3)),
            ("0+10x3", values(0, 10, 20, 30)),
            ("-2+4x3", values(-2, 2, 6, 10)),
            (" 1-2x4", values(1, -1, -3, -5, -7)),
            ("5x2", values(5, 5, 5)),
            ("7x0", values(7)),
            ("1+1x0", values(1)),
            ("-1-1x2", values(-1, -2, -3)),
            ("+3", values(3)),
            ("_", [.omitted]),
            ("_x3", [.omitted, .omitted, .omitted]),
            ("_x0", []),
            ("1 _ 2 _x2 stale 4", values(1) + [.omitted] + values(2) + [.omitted, .omitted, .stale] + values(4)),
            (".5 5. 1e1 2E-1 1.5e+2", values(0.5, 5, 10, 0.2, 150)),
            ("010 08 00", values(8, 8, 0)),
            ("0x2", values(0, 0, 0)),
            ("Inf -Inf +inf", values(.infinity, -.infinity, .infinity)),
            ("Inf+1x1", values(.infinity, .infinity)),
            ("NaN nan", values(.nan, .nan)),
            ("0.1+0.1x2", values(0.1, 0.2, 0.30000000000000004)),
            ("", []),
            ("  1\t2  ", values(1, 2)),
        ] as [(String, [SeriesPoint])]
    )
    func expands(text: String, expected: [SeriesPoint]) throws {
        #expect(try SeriesNotation.expand(text) == expected)
    }

    @Test(
        "a bad item is named with its column",
        arguments: [
            ("1 2 abc", "abc", 5),
            ("1 2y", "2y", 3),
            ("1+2", "1+2", 1),
            ("1 1+x3", "1+x3", 3),
            ("1x1.5", "1x1.5", 1),
            ("1xInf", "1xInf", 1),
            ("_+1x2", "_+1x2", 1),
            ("stalex3", "stalex3", 1),
            ("stale+1x2", "stale+1x2", 1),
            ("1 1e", "1e", 3),
            ("1 2#", "2#", 3),
            ("1m", "1m", 1),
            ("x3", "x3", 1),
            ("1x", "1x", 1),
            ("1..2", "1..2", 1),
            ("é 1", "é", 1),
            ("1 é2", "é2", 3),
        ]
    )
    func rejects(text: String, item: String, column: Int) {
        #expect {
            _ = try SeriesNotation.expand(text)
        } throws: { error in
            guard let error = error as? SeriesNotationError else { return false }
            return error.item == item && error.column == column
                && error.description.hasPrefix("invalid series value '\(item)' at column \(column): ")
        }
    }

    @Test("a typo'd huge repetition is refused instead of allocated")
    func tooMany() {
        #expect(throws: SeriesNotationError.self) { try SeriesNotation.expand("1x99999999999") }
        #expect(throws: SeriesNotationError.self) { try SeriesNotation.expand("_x99999999999") }
    }

    @Test("messages say what would be right")
    func messages() throws {
        do {
            _ = try SeriesNotation.expand("1 2 1x1.5")
            Issue.record("expected an error")
        } catch {
            #expect(
                error.description
                    == "invalid series value '1x1.5' at column 5: the repetition count after 'x' must be a whole "
                    + "number like x10, found '1.5'"
            )
        }
    }
}
