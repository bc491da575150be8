/// The style of every ``ThemeRole``: how the dashboard colours everything it draws.
///
/// Four themes are built in (``default``, ``light``, ``highContrast``, ``mono``) and shipped as files in
/// `themes/`; users write their own in the same format (`docs/themes.md`). A theme built from a partial set of
/// styles takes the missing ones from a base theme, so every role always has a style.
public struct Theme: Sendable, Hashable {
    /// The theme's name (`default`, `light`, a file's name without its extension).
    public var name: String
    /// One style per role, in the order of ``ThemeRole/all``.
    private var styles: [CellStyle]

    /// Creates a theme from styles for some roles; the others come from `base`.
    ///
    /// - Parameters:
    ///   - name: The theme's name.
    ///   - styles: The styles this theme sets.
    ///   - base: Where missing roles come from.
    public init(name: String, styles: [ThemeRole: CellStyle], base: Theme = .default) {
        self.name = name
        self.styles = base.styles
        for (role, style) in styles { self.styles[role.index] = style }
    }

    private init(name: String, complete styles: [ThemeRole: CellStyle]) {
        self.name = name
        self.styles = ThemeRole.all.map { styles[$0] ?? .plain }
    }

    /// The style of `role`.
    public subscript(role: ThemeRole) -> CellStyle {
        get { self.styles[role.index] }
        set { self.styles[role.index] = newValue }
    }

    /// This theme without colours (for `--no-color` and `NO_COLOR`): every role keeps its attributes and gains
    /// those of ``mono``, so states that colour told apart (an open breaker) stay distinct.
    public func withoutColors() -> Theme {
        var theme = self
        for role in ThemeRole.all {
            let attributes = self[role].attributes.union(Theme.mono[role].attributes)
            theme[role] = CellStyle(attributes: attributes)
        }
        return theme
    }

    /// The built-in themes, `default` first.
    public static let builtIn: [Theme] = [.default, .light, .highContrast, .mono]

    /// The built-in theme called `name` (`default`, `light`, `high-contrast`, `mono`), if any.
    public static func builtIn(named name: String) -> Theme? {
        self.builtIn.first { $0.name == name }
    }

    /// For a dark terminal background: ANSI colours, so it follows the terminal's palette.
    public static let `default` = Theme(
        name: "default",
        complete: [
            .background: style(),
            .text: style(),
            .muted: style(.brightBlack),
            .title: style(.cyan, bold),
            .border: style(.brightBlack),
            .borderFocused: style(.brightCyan, bold),
            .header: style(.brightWhite, .blue),
            .headerAccent: style(.brightYellow, .blue, bold),
            .paused: style(.brightYellow, .default, [.bold, .reverse]),
            .footer: style(.white),
            .footerKey: style(.brightCyan, bold),
            .value: style(.brightWhite, bold),
            .good: style(.green),
            .warning: style(.yellow),
            .bad: style(.red, bold),
            .graph: style(.cyan),
            .graphSecondary: style(.blue),
            .gaugeFilled: style(.green),
            .gaugeEmpty: style(.brightBlack),
            .trendGood: style(.green),
            .trendBad: style(.red),
            .trendFlat: style(.brightBlack),
            .breakerClosed: style(.black, .green, bold),
            .breakerHalfOpen: style(.black, .yellow, bold),
            .breakerOpen: style(.brightWhite, .red, bold),
            .alertFiring: style(.red, bold),
            .alertPending: style(.yellow),
            .eventTime: style(.brightBlack),
            .eventProvider: style(.cyan),
            .eventError: style(.red),
            .tableHeader: style(.default, .default, [.bold, .underline]),
            .selected: style(.default, .default, [.reverse]),
            .overlay: style(.white, .black),
            .overlayBorder: style(.brightCyan, .black),
            .overlayTitle: style(.brightWhite, .black, bold),
            .tooSmall: style(.brightYellow, bold),
            .critical: style(.brightWhite, .red, bold),
        ]
    )

    /// For a light terminal background: darker 24-bit colours.
    public static let light = Theme(
        name: "light",
        complete: [
            .background: style(),
            .text: style(),
            .muted: style(.rgb(0x6c, 0x6c, 0x6c)),
            .title: style(.rgb(0x00, 0x5f, 0xaf), bold),
            .border: style(.rgb(0xa8, 0xa8, 0xa8)),
            .borderFocused: style(.rgb(0x00, 0x5f, 0xaf), bold),
            .header: style(.rgb(0xff, 0xff, 0xff), .rgb(0x00, 0x5f, 0x87)),
            .headerAccent: style(.rgb(0xff, 0xd7, 0x5f), .rgb(0x00, 0x5f, 0x87), bold),
            .paused: style(.rgb(0x00, 0x00, 0x00), .rgb(0xff, 0xd7, 0x00), bold),
            .footer: style(.rgb(0x30, 0x30, 0x30)),
            .footerKey: style(.rgb(0x00, 0x5f, 0xaf), bold),
            .value: style(.rgb(0x00, 0x00, 0x00), bold),
            .good: style(.rgb(0x00, 0x7f, 0x00)),
            .warning: style(.rgb(0xaf, 0x5f, 0x00)),
            .bad: style(.rgb(0xc0, 0x00, 0x00), bold),
            .graph: style(.rgb(0x00, 0x5f, 0xaf)),
            .graphSecondary: style(.rgb(0x87, 0x87, 0xaf)),
            .gaugeFilled: style(.rgb(0x00, 0x87, 0x5f)),
            .gaugeEmpty: style(.rgb(0xc6, 0xc6, 0xc6)),
            .trendGood: style(.rgb(0x00, 0x7f, 0x00)),
            .trendBad: style(.rgb(0xc0, 0x00, 0x00)),
            .trendFlat: style(.rgb(0x80, 0x80, 0x80)),
            .breakerClosed: style(.rgb(0xff, 0xff, 0xff), .rgb(0x00, 0x87, 0x5f), bold),
            .breakerHalfOpen: style(.rgb(0x00, 0x00, 0x00), .rgb(0xff, 0xaf, 0x00), bold),
            .breakerOpen: style(.rgb(0xff, 0xff, 0xff), .rgb(0xd7, 0x00, 0x00), bold),
            .alertFiring: style(.rgb(0xc0, 0x00, 0x00), bold),
            .alertPending: style(.rgb(0xaf, 0x5f, 0x00)),
            .eventTime: style(.rgb(0x80, 0x80, 0x80)),
            .eventProvider: style(.rgb(0x00, 0x5f, 0x87)),
            .eventError: style(.rgb(0xc0, 0x00, 0x00)),
            .tableHeader: style(.default, .default, [.bold, .underline]),
            .selected: style(.default, .default, [.reverse]),
            .overlay: style(.rgb(0x00, 0x00, 0x00), .rgb(0xee, 0xee, 0xee)),
            .overlayBorder: style(.rgb(0x00, 0x5f, 0xaf), .rgb(0xee, 0xee, 0xee)),
            .overlayTitle: style(.rgb(0x00, 0x00, 0x00), .rgb(0xee, 0xee, 0xee), bold),
            .tooSmall: style(.rgb(0xaf, 0x5f, 0x00), bold),
            .critical: style(.rgb(0xff, 0xff, 0xff), .rgb(0xc0, 0x00, 0x00), bold),
        ]
    )

    /// Bright colours and bold text for low vision and washed-out screens.
    public static let highContrast = Theme(
        name: "high-contrast",
        complete: [
            .background: style(),
            .text: style(.brightWhite),
            .muted: style(.white),
            .title: style(.brightYellow, bold),
            .border: style(.brightWhite),
            .borderFocused: style(.brightYellow, bold),
            .header: style(.black, .brightWhite, bold),
            .headerAccent: style(.black, .brightYellow, bold),
            .paused: style(.black, .brightYellow, [.bold, .underline]),
            .footer: style(.brightWhite),
            .footerKey: style(.brightYellow, bold),
            .value: style(.brightWhite, bold),
            .good: style(.brightGreen, bold),
            .warning: style(.brightYellow, bold),
            .bad: style(.brightRed, bold),
            .graph: style(.brightCyan),
            .graphSecondary: style(.brightWhite),
            .gaugeFilled: style(.brightGreen),
            .gaugeEmpty: style(.white),
            .trendGood: style(.brightGreen, bold),
            .trendBad: style(.brightRed, bold),
            .trendFlat: style(.white),
            .breakerClosed: style(.black, .brightGreen, bold),
            .breakerHalfOpen: style(.black, .brightYellow, bold),
            .breakerOpen: style(.black, .brightRed, bold),
            .alertFiring: style(.brightRed, bold),
            .alertPending: style(.brightYellow, bold),
            .eventTime: style(.white),
            .eventProvider: style(.brightCyan, bold),
            .eventError: style(.brightRed, bold),
            .tableHeader: style(.brightWhite, .default, [.bold, .underline]),
            .selected: style(.black, .brightWhite, bold),
            .overlay: style(.brightWhite, .black),
            .overlayBorder: style(.brightYellow, .black, bold),
            .overlayTitle: style(.brightYellow, .black, bold),
            .tooSmall: style(.brightYellow, bold),
            .critical: style(.brightWhite, .brightRed, [.bold, .underline]),
        ]
    )

    /// No colour at all: attributes only (bold, dim, underline, reverse). Also what `--no-color` adds.
    public static let mono = Theme(
        name: "mono",
        complete: [
            .background: style(),
            .text: style(),
            .muted: style(attributes: [.dim]),
            .title: style(attributes: [.bold]),
            .border: style(),
            .borderFocused: style(attributes: [.bold]),
            .header: style(attributes: [.reverse]),
            .headerAccent: style(attributes: [.reverse, .bold]),
            .paused: style(attributes: [.reverse, .bold]),
            .footer: style(),
            .footerKey: style(attributes: [.bold]),
            .value: style(attributes: [.bold]),
            .good: style(),
            .warning: style(attributes: [.bold]),
            .bad: style(attributes: [.bold, .underline]),
            .graph: style(),
            .graphSecondary: style(attributes: [.dim]),
            .gaugeFilled: style(),
            .gaugeEmpty: style(attributes: [.dim]),
            .trendGood: style(),
            .trendBad: style(attributes: [.bold]),
            .trendFlat: style(attributes: [.dim]),
            .breakerClosed: style(),
            .breakerHalfOpen: style(attributes: [.underline]),
            .breakerOpen: style(attributes: [.reverse, .bold]),
            .alertFiring: style(attributes: [.bold]),
            .alertPending: style(attributes: [.underline]),
            .eventTime: style(attributes: [.dim]),
            .eventProvider: style(),
            .eventError: style(attributes: [.bold]),
            .tableHeader: style(attributes: [.bold, .underline]),
            .selected: style(attributes: [.reverse]),
            .overlay: style(),
            .overlayBorder: style(attributes: [.bold]),
            .overlayTitle: style(attributes: [.bold]),
            .tooSmall: style(attributes: [.bold]),
            .critical: style(attributes: [.reverse, .bold, .underline]),
        ]
    )

    private static let bold: CellAttributes = [.bold]

    private static func style(
        _ foreground: TerminalColor = .default,
        _ background: TerminalColor = .default,
        _ attributes: CellAttributes = []
    ) -> CellStyle {
        CellStyle(foreground: foreground, background: background, attributes: attributes)
    }

    private static func style(_ foreground: TerminalColor, _ attributes: CellAttributes) -> CellStyle {
        CellStyle(foreground: foreground, attributes: attributes)
    }

    private static func style(attributes: CellAttributes) -> CellStyle {
        CellStyle(attributes: attributes)
    }
}

extension TerminalColor {
    static let black = TerminalColor.ansi(0)
    static let red = TerminalColor.ansi(1)
    static let green = TerminalColor.ansi(2)
    static let yellow = TerminalColor.ansi(3)
    static let blue = TerminalColor.ansi(4)
    static let cyan = TerminalColor.ansi(6)
    static let white = TerminalColor.ansi(7)
    static let brightBlack = TerminalColor.ansi(8)
    static let brightRed = TerminalColor.ansi(9)
    static let brightGreen = TerminalColor.ansi(10)
    static let brightYellow = TerminalColor.ansi(11)
    static let brightCyan = TerminalColor.ansi(14)
    static let brightWhite = TerminalColor.ansi(15)
}
