import Testing

extension Tag {
    /// Takes many seconds or more; `swift test --skip`'s documented filter (README, "Fast tests") leaves
    /// these suites out.
    @Tag public static var slow: Self
    /// Drives a real terminal through tmux.
    @Tag public static var tmux: Self
    /// Runs `oauthtop demo` for its full 90 seconds.
    @Tag public static var demo: Self
    /// Starts a real outside server or tool (promtool, Alertmanager).
    @Tag public static var realServer: Self
}
