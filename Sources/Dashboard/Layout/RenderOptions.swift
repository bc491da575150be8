/// How to draw: the `--ascii` and `--no-color` choices.
public struct RenderOptions: Sendable, Hashable {
    /// Draw only ASCII characters (borders `+-|`, sparkline ` .:-=+*#`, arrows `^v`).
    public var ascii: Bool
    /// Draw without colours (attributes only), as `--no-color` and `NO_COLOR` ask.
    public var noColor: Bool

    /// Creates options.
    public init(ascii: Bool = false, noColor: Bool = false) {
        self.ascii = ascii
        self.noColor = noColor
    }

    /// Unicode and colours.
    public static let `default` = RenderOptions()
}
