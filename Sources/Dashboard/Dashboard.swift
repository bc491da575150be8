@_exported import Cells

/// The Dashboard target renders a ``DashboardSnapshot`` into a `CellGrid`.
///
/// It owns: the widgets (sparkline, gauge, single stat, table, badge), the panels and how each is drawn
/// from the series of its queries, the layout for any terminal size, the provider detail and consumers views,
/// themes, the key table and the help overlay. It re-exports `Cells` (the grid, colours, keys), which its API is written in.
///
/// It must not: call ncurses or write to a terminal (the Terminal target draws the grid), start
/// tasks, import the token manager or Telemetry, or compute a figure itself: every number comes from the
/// snapshot it is given, which is `Codable` so that it may come from another process.
public enum DashboardModule {}
