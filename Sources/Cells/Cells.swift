/// Cells: the in-memory screen that the dashboard draws into and the terminal backend draws out.
///
/// It owns: the cell grid (``Cell``, ``CellGrid``, ``CellStyle``, ``CellAttributes``), colours as themes
/// name them (``TerminalColor``), rectangles (``Rect``), key presses (``Key``) and the terminal's size
/// (``TerminalSize``). As ratatui keeps its buffer apart from its widgets, this is a leaf: both the widgets
/// (`Dashboard`) and the ncurses backend (`Terminal`) depend on it, and neither on the other.
///
/// It must not: import anything but the standard library, know what a dashboard shows, or touch a
/// terminal.
public enum CellsModule {}
