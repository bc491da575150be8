/// A part of the screen that a theme colours. Every widget takes its styles from roles, so a theme
/// covers everything on screen and no widget holds a colour of its own.
///
/// Theme files name roles in snake_case (`border_focused`); see `docs/themes.md`.
public struct ThemeRole: Sendable, Hashable, CustomStringConvertible {
    /// The role's name in theme files.
    public let name: String
    /// Position in ``all``: themes store their styles in this order.
    let index: Int

    private init(_ name: String, _ index: Int) {
        self.name = name
        self.index = index
    }

    /// The whole screen's fill: its background shows wherever nothing else is drawn.
    public static let background = ThemeRole("background", 0)
    /// Ordinary text.
    public static let text = ThemeRole("text", 1)
    /// Secondary text: units, hints, empty states.
    public static let muted = ThemeRole("muted", 2)
    /// Panel and box titles.
    public static let title = ThemeRole("title", 3)
    /// Box borders.
    public static let border = ThemeRole("border", 4)
    /// The border of the selected panel or the focused list.
    public static let borderFocused = ThemeRole("border_focused", 5)
    /// The header line.
    public static let header = ThemeRole("header", 6)
    /// Emphasis in the header: the selected provider, the time range.
    public static let headerAccent = ThemeRole("header_accent", 7)
    /// The PAUSED banner across the header.
    public static let paused = ThemeRole("paused", 8)
    /// Key descriptions in the footer.
    public static let footer = ThemeRole("footer", 9)
    /// Key names in the footer.
    public static let footerKey = ThemeRole("footer_key", 10)
    /// A panel's big number.
    public static let value = ThemeRole("value", 11)
    /// A healthy figure (high success rate, token far from expiry).
    public static let good = ThemeRole("good", 12)
    /// A figure that needs watching.
    public static let warning = ThemeRole("warning", 13)
    /// A figure that needs action.
    public static let bad = ThemeRole("bad", 14)
    /// History graphs (sparklines).
    public static let graph = ThemeRole("graph", 15)
    /// A second figure beside a graph (p50 next to p99).
    public static let graphSecondary = ThemeRole("graph_secondary", 16)
    /// The filled part of a gauge bar.
    public static let gaugeFilled = ThemeRole("gauge_filled", 17)
    /// The empty part of a gauge bar.
    public static let gaugeEmpty = ThemeRole("gauge_empty", 18)
    /// A trend arrow pointing the healthy way.
    public static let trendGood = ThemeRole("trend_good", 19)
    /// A trend arrow pointing the unhealthy way.
    public static let trendBad = ThemeRole("trend_bad", 20)
    /// A trend marker when nothing changed.
    public static let trendFlat = ThemeRole("trend_flat", 21)
    /// The CLOSED circuit breaker badge.
    public static let breakerClosed = ThemeRole("breaker_closed", 22)
    /// The HALF-OPEN circuit breaker badge.
    public static let breakerHalfOpen = ThemeRole("breaker_half_open", 23)
    /// The OPEN circuit breaker badge.
    public static let breakerOpen = ThemeRole("breaker_open", 24)
    /// A firing alert.
    public static let alertFiring = ThemeRole("alert_firing", 25)
    /// A pending alert.
    public static let alertPending = ThemeRole("alert_pending", 26)
    /// Times in the event log.
    public static let eventTime = ThemeRole("event_time", 27)
    /// Provider names in the event log and tables.
    public static let eventProvider = ThemeRole("event_provider", 28)
    /// Events about failures.
    public static let eventError = ThemeRole("event_error", 29)
    /// Column headings of tables.
    public static let tableHeader = ThemeRole("table_header", 30)
    /// The selected row or provider.
    public static let selected = ThemeRole("selected", 31)
    /// The inside of the help overlay and the confirm dialog.
    public static let overlay = ThemeRole("overlay", 32)
    /// The border of the help overlay and the confirm dialog.
    public static let overlayBorder = ThemeRole("overlay_border", 33)
    /// The title of the help overlay and the confirm dialog.
    public static let overlayTitle = ThemeRole("overlay_title", 34)
    /// The terminal-too-small message.
    public static let tooSmall = ThemeRole("too_small", 35)
    /// Emergency mode: no method gives a provider a token. The header's EMERGENCY banner, the provider's name
    /// wherever providers are listed, and the detail view's emergency section.
    public static let critical = ThemeRole("critical", 36)

    /// Every role, in the order theme files list them.
    public static let all: [ThemeRole] = [
        .background,
        .text,
        .muted,
        .title,
        .border,
        .borderFocused,
        .header,
        .headerAccent,
        .paused,
        .footer,
        .footerKey,
        .value,
        .good,
        .warning,
        .bad,
        .graph,
        .graphSecondary,
        .gaugeFilled,
        .gaugeEmpty,
        .trendGood,
        .trendBad,
        .trendFlat,
        .breakerClosed,
        .breakerHalfOpen,
        .breakerOpen,
        .alertFiring,
        .alertPending,
        .eventTime,
        .eventProvider,
        .eventError,
        .tableHeader,
        .selected,
        .overlay,
        .overlayBorder,
        .overlayTitle,
        .tooSmall,
        .critical,
    ]

    /// The role called `name` in theme files, if any.
    public static func named(_ name: String) -> ThemeRole? {
        self.all.first { $0.name == name }
    }

    public var description: String { self.name }
}
