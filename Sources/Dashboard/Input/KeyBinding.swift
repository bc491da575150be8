/// One row of the key table: the keys, what they do, and how the footer and the help overlay say it.
///
/// ``table`` is the only place keys are bound: ``DashboardState/handle(_:)`` looks keys up in it, and the
/// footer and the help overlay are generated from it, so they cannot disagree.
public struct KeyBinding: Sendable, Hashable {
    /// The keys that trigger the action, the first being the one shown.
    public var keys: [Key]
    /// A word or two for the footer, e.g. `refresh`.
    public var summary: String
    /// A sentence for the help overlay.
    public var description: String
    public var action: DashboardAction
    /// Whether the footer shows this binding (all bindings appear in the help overlay). The footer joins
    /// neighbouring bindings with the same summary: `tab/S-tab panel`.
    public var inFooter: Bool

    /// Creates a binding.
    public init(keys: [Key], summary: String, description: String, action: DashboardAction, inFooter: Bool = true) {
        self.keys = keys
        self.summary = summary
        self.description = description
        self.action = action
        self.inFooter = inFooter
    }

    /// How the keys are written, e.g. `?/F1`.
    ///
    /// - Parameter ascii: Whether to avoid non-ASCII symbols.
    public func keyLabel(ascii: Bool) -> String {
        self.keys.map { $0.label(ascii: ascii) }.joined(separator: "/")
    }

    /// The dashboard's keys.
    public static let table: [KeyBinding] = [
        KeyBinding(
            keys: [.character("r")], summary: "refresh",
            description: "refresh the selected provider's token now", action: .refreshSelected
        ),
        KeyBinding(
            keys: [.character("R")], summary: "refresh all",
            description: "refresh every provider's token now (asks to confirm)", action: .refreshAll
        ),
        KeyBinding(
            keys: [.tab, .right], summary: "panel",
            description: "select the next panel", action: .nextPanel
        ),
        KeyBinding(
            keys: [.backTab, .left], summary: "panel",
            description: "select the previous panel", action: .previousPanel
        ),
        KeyBinding(
            keys: [.down], summary: "provider",
            description: "next provider (next alert when alerts have the focus)",
            action: .nextProvider
        ),
        KeyBinding(
            keys: [.up], summary: "provider",
            description: "previous provider (previous alert when alerts have the focus)",
            action: .previousProvider
        ),
        KeyBinding(
            keys: [.enter], summary: "detail",
            description: "the selected provider's detail view (Esc, q or Enter closes)", action: .detail
        ),
        KeyBinding(
            keys: [.character("c")], summary: "consumers",
            description: "the consumers: exec'd tasks, sinks, socket clients", action: .consumers
        ),
        KeyBinding(
            keys: [.character("+")], summary: "range",
            description: "show a longer time range (1m, 5m, 15m, 1h)", action: .rangeUp
        ),
        KeyBinding(
            keys: [.character("-")], summary: "range",
            description: "show a shorter time range", action: .rangeDown
        ),
        KeyBinding(
            keys: [.character("p")], summary: "pause",
            description: "pause or resume the display (data keeps being collected)", action: .togglePause
        ),
        KeyBinding(
            keys: [.character("a")], summary: "alerts",
            description: "move the focus to the alerts list and back", action: .focusAlerts
        ),
        KeyBinding(
            keys: [.character("?"), .f1], summary: "help",
            description: "show or hide this help", action: .help
        ),
        KeyBinding(
            keys: [.escape], summary: "back",
            description: "close the help, a dialog, a view or the alerts focus", action: .back, inFooter: false
        ),
        KeyBinding(
            keys: [.character("q"), .ctrlC], summary: "quit",
            description: "quit", action: .quit
        ),
    ]

    /// The footer's entries: neighbouring footer bindings with the same summary joined, each written with its
    /// first key (`+/- range`).
    ///
    /// - Parameter ascii: Whether to avoid non-ASCII symbols.
    public static func footerEntries(ascii: Bool) -> [(keys: String, summary: String)] {
        var entries: [(keys: String, summary: String)] = []
        for binding in self.table where binding.inFooter {
            let key = binding.keys.first?.label(ascii: ascii) ?? ""
            if let last = entries.last, last.summary == binding.summary {
                entries[entries.count - 1].keys += "/" + key
            } else {
                entries.append((key, binding.summary))
            }
        }
        return entries
    }

    /// The action bound to `key` in ``table``, if any.
    public static func action(for key: Key) -> DashboardAction? {
        self.table.first { $0.keys.contains(key) }?.action
    }
}
