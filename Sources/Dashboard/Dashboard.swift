/// The Dashboard target renders oauthtop's state into an in-memory grid of cells.
///
/// It owns: the cell grid (``Cell``, ``CellGrid``, ``TerminalColor``, ``CellAttributes``), the
/// widgets (sparkline, gauge, single stat, table, badge), the six panels, the layout for any
/// terminal size, themes, the key table and the help overlay.
///
/// It must not: call ncurses or write to a terminal (the Terminal target draws the grid), start
/// tasks, or compute a figure itself from anything but the snapshot it is given: every number
/// comes from the Telemetry collector or the token manager's snapshot.
public enum DashboardModule {}
