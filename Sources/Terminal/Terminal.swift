/// Terminal: the ncurses backend of oauthtop's dashboard.
///
/// This target owns everything that touches the terminal: starting and restoring it, drawing a
/// `Cells.CellGrid` with only the cells that changed, reading keys, following resizes, and
/// mapping colours onto what the terminal supports. It is the only target that imports `CNCurses`.
///
/// It must not know what the dashboard shows (it depends on `Cells` and `CNCurses` only): it draws cells
/// and reports keys, nothing else.
/// The pure pieces (colour mapping, frame diff, key decoding, pair cache, ASCII fallback) are
/// separate types so they can be tested without a terminal.
