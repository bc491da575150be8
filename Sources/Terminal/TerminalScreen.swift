import CNCurses
import Cells
import Primitives
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The terminal, run by ncurses: draws cell grids, reads keys, follows resizes.
///
/// Threading: an actor whose executor is one dedicated thread (``TerminalThread``), so every ncurses
/// call happens on that thread, one at a time (ncurses is not thread-safe), and
/// ``readKey(timeout:)``, which blocks in `wget_wch` for up to its timeout, never holds a thread of
/// Swift's cooperative pool. Callers simply `await` its methods from any task.
///
/// Lifecycle: ``start(options:)`` once, then ``draw(_:)`` and ``readKey(timeout:)`` in a loop, then
/// ``stop()``. The terminal is restored (`endwin`) exactly once: by ``stop()`` on the normal path,
/// or, if the process ends without it, by an `atexit` hook or the handlers of
/// ``TerminalOptions/restoreSignals`` (see ``TerminalRestoreSignals`` for how that coexists with a
/// swift-service-lifecycle `ServiceGroup`). Only one screen can run in a process at a time.
///
/// Idle cost: a frame equal to the last one drawn sends nothing to the terminal; a key wait is one
/// `poll` per timeout.
public actor TerminalScreen {
    private enum State {
        case idle
        case running(screen: OpaquePointer)
        case stopped
    }

    /// A style resolved to what ncurses takes.
    private struct ResolvedStyle {
        var attributes: attr_t
        var pair: Int32
    }

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        TerminalThread.shared.asUnownedSerialExecutor()
    }

    private var state = State.idle
    private var columns = 0
    private var rows = 0
    private var previousFrame: CellGrid?
    private var pairs = ColorPairCache(capacity: 1)
    private var styles: [CellStyle: ResolvedStyle] = [:]
    private var lastStyle: (style: CellStyle, resolved: ResolvedStyle)?

    /// The colours the terminal shows, known after ``start(options:)``.
    public private(set) var colorCapability = ColorCapability.monochrome

    /// Whether the locale is UTF-8, known after ``start(options:)``. Without it, cells are drawn
    /// through ``AsciiFallback`` (box drawing as `+-|`), and a renderer may prefer ASCII itself.
    public private(set) var supportsUnicode = false

    /// Whether the terminal went away (its input hung up: the window closed, ssh dropped, tmux
    /// killed). From then on ``readKey(timeout:)`` just waits out its timeout and ``draw(_:)`` does
    /// nothing; a dashboard should end (SIGHUP normally ends the process first).
    public private(set) var isHungUp = false

    /// Creates a screen; nothing happens to the terminal until ``start(options:)``.
    public init() {}

    /// Whether standard input and standard output are both terminals.
    ///
    /// Check it before ``start(options:)`` to explain that the dashboard needs a terminal (and that
    /// `--headless` runs without one).
    public nonisolated static var isTerminal: Bool {
        isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
    }

    /// The terminal's size in cells; `(0, 0)` before ``start(options:)``.
    public var size: (columns: Int, rows: Int) { (self.columns, self.rows) }

    /// Takes over the terminal: UTF-8 locale, the alternate screen, no echo, keys one at a time,
    /// no cursor, colours if wanted and available.
    ///
    /// - Parameter options: Colours, Ctrl-C handling, which signals restore the terminal.
    /// - Throws: ``TerminalScreenError/notATerminal`` without a TTY,
    ///   ``TerminalScreenError/alreadyStarted`` if this or another screen runs or this one ran,
    ///   ``TerminalScreenError/terminalUnavailable(term:)`` if ncurses does not know `TERM`.
    public func start(options: TerminalOptions = TerminalOptions()) throws {
        guard case .idle = self.state, !EmergencyRestore.active.load(ordering: .acquiring) else {
            throw TerminalScreenError.alreadyStarted
        }
        guard Self.isTerminal else { throw TerminalScreenError.notATerminal }

        Self.selectLocale()
        self.supportsUnicode = Self.localeIsUTF8()

        // ncurses installs SIGINT/SIGTERM handlers of its own when they have the default action;
        // record every signal we care about first, so we can undo that and chain to what was there.
        let ncursesSignals: Set<Int32> = [SIGINT, SIGTERM]
        EmergencyRestore.captureBefore(options.restoreSignals.all.union(ncursesSignals))

        guard let screen = newterm(nil, cncurses_stdout(), cncurses_stdin()) else {
            throw TerminalScreenError.terminalUnavailable(term: getenv("TERM").map { String(cString: $0) })
        }
        self.state = .running(screen: screen)
        EmergencyRestore.activate()
        EmergencyRestore.putBack(ncursesSignals)
        EmergencyRestore.install(options.restoreSignals)

        if options.ctrlCAsKey { raw() } else { cbreak() }
        noecho()
        nonl()
        let window = cncurses_stdscr()
        keypad(window, true)
        leaveok(window, true)
        curs_set(0)
        set_escdelay(Int32(clamping: options.escapeDelay.milliseconds))

        self.colorCapability = Self.setUpColors(wanted: options.colors)
        self.pairs = ColorPairCache(capacity: Int(cncurses_color_pairs()))
        self.styles = [:]
        self.lastStyle = nil
        self.readSize()
        self.previousFrame = nil
    }

    /// Draws `grid`, sending only the cells that differ from the last frame drawn.
    ///
    /// The first frame, and the first after a resize, is drawn in full on a cleared screen. Cells
    /// beyond the terminal's edge are clipped. Wide characters take their cell and the next (the
    /// continuation cell is skipped). Does nothing before ``start(options:)`` or after ``stop()``.
    ///
    /// - Parameter grid: The frame, normally sized to ``size``.
    public func draw(_ grid: CellGrid) {
        guard case .running = self.state, !self.isHungUp else { return }
        let window = cncurses_stdscr()
        let full =
            self.previousFrame == nil || self.previousFrame?.width != grid.width
            || self.previousFrame?.height != grid.height
        let runs = FrameDiff.changedRuns(from: self.previousFrame, to: grid)
        self.previousFrame = grid
        if full { werase(window) }
        guard full || !runs.isEmpty else { return }

        let cells = grid.cells
        for run in runs where run.row < self.rows {
            let end = min(run.columns.upperBound, self.columns)
            for column in run.columns.lowerBound..<max(run.columns.lowerBound, end) {
                self.put(cells[run.row * grid.width + column], x: column, y: run.row, in: window)
            }
        }
        wnoutrefresh(window)
        doupdate()
    }

    /// Waits up to `timeout` for a key or a terminal event.
    ///
    /// After ``TerminalKey/resize`` the new ``size`` is known and the next ``draw(_:)`` redraws in
    /// full. The wait cannot be cancelled: it ends at the latest after `timeout`.
    ///
    /// - Parameter timeout: How long to wait; zero or less returns at once.
    /// - Returns: The key, or `nil` on timeout, for a key without a meaning here, or when the screen
    ///   is not running.
    public func readKey(timeout: Duration) -> TerminalKey? {
        guard case .running = self.state else { return nil }
        let window = cncurses_stdscr()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: max(.zero, timeout))
        var character: wint_t = 0
        var status = cncurses_err()
        while status == cncurses_err() {
            let left = clock.now.duration(to: deadline)
            guard !self.isHungUp else {
                // Nothing will ever arrive: wait out the timeout so a caller's loop does not spin.
                Self.sleep(left)
                return nil
            }
            wtimeout(window, Int32(clamping: max(0, left.milliseconds)))
            status = wget_wch(window, &character)
            guard status == cncurses_err() else { break }
            // ERR is a timeout, or an early return: a signal interrupted the wait (try again for
            // what is left), or the terminal hung up (remember it; see isHungUp).
            if clock.now.duration(to: deadline) < .milliseconds(1) { return nil }
            self.isHungUp = Self.inputHungUp()
        }
        let input: RawKeyInput
        switch status {
        case KEY_CODE_YES: input = .functionKey(Int32(bitPattern: character))
        case cncurses_ok(): input = .character(character)
        default: return nil
        }
        let key = input.key
        if key == .resize {
            self.readSize()
            self.previousFrame = nil
        }
        return key
    }

    /// Gives the terminal back: `endwin`, the normal screen, the cursor, echo and line mode.
    ///
    /// Idempotent: only the first call (or the emergency restore, if it came first) calls `endwin`.
    /// Puts back the signal actions ``start(options:)`` replaced. A stopped screen cannot start again.
    public func stop() {
        guard case .running(let screen) = self.state else { return }
        self.state = .stopped
        if EmergencyRestore.endTerminal() {
            delscreen(screen)
        }
        EmergencyRestore.uninstall()
        self.previousFrame = nil
    }

    // MARK: - Drawing

    private func put(_ cell: Cell, x: Int, y: Int, in window: UnsafeMutablePointer<WINDOW>?) {
        var cell = cell
        if cell.width == 0 {
            // The right half of a wide character: ncurses fills it when it draws the left half.
            // With the ASCII fallback the left half became one narrow character, so blank this one.
            guard !self.supportsUnicode else { return }
            cell = Cell(" ", style: cell.style)
        }
        if cell.width == 2, x + 1 >= self.columns {
            cell = Cell(" ", style: cell.style)  // A wide character cut by the right edge.
        }
        let style = self.resolve(cell.style)

        // CCHARW_MAX (5) wide characters plus the terminating 0.
        var text: (wchar_t, wchar_t, wchar_t, wchar_t, wchar_t, wchar_t) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &text) { bytes in
            let buffer = bytes.bindMemory(to: wchar_t.self)
            var count = 0
            for scalar in cell.character.unicodeScalars where count < 5 {
                buffer[count] = self.drawable(scalar, first: count == 0)
                count += 1
            }
            if count == 0 { buffer[0] = 0x20 }
            var value = cchar_t()
            cncurses_setcchar(&value, buffer.baseAddress, style.attributes, style.pair)
            mvwadd_wch(window, Int32(y), Int32(x), &value)
        }
    }

    /// The code to draw for `scalar`: control characters would print as `^X` in two cells, so they
    /// become spaces; without UTF-8, non-ASCII goes through ``AsciiFallback``.
    private func drawable(_ scalar: Unicode.Scalar, first: Bool) -> wchar_t {
        let value = scalar.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0x20 }
        guard self.supportsUnicode else {
            return first ? wchar_t(AsciiFallback.character(for: scalar)) : 0x20
        }
        return wchar_t(bitPattern: value)
    }

    private func resolve(_ style: CellStyle) -> ResolvedStyle {
        if let last = self.lastStyle, last.style == style { return last.resolved }
        let resolved: ResolvedStyle
        if let cached = self.styles[style] {
            resolved = cached
        } else {
            let foreground = ColorMapping.colorNumber(for: style.foreground, capability: self.colorCapability)
            let background = ColorMapping.colorNumber(for: style.background, capability: self.colorCapability)
            let pair = self.pairs.pair(foreground: foreground, background: background) { number, fg, bg in
                init_extended_pair(number, fg, bg) == cncurses_ok()
            }
            resolved = ResolvedStyle(attributes: Self.attributes(style.attributes), pair: pair)
            self.styles[style] = resolved
        }
        self.lastStyle = (style, resolved)
        return resolved
    }

    private static func attributes(_ attributes: CellAttributes) -> attr_t {
        var result = cncurses_a_normal()
        if attributes.contains(.bold) { result |= cncurses_a_bold() }
        if attributes.contains(.dim) { result |= cncurses_a_dim() }
        if attributes.contains(.underline) { result |= cncurses_a_underline() }
        if attributes.contains(.reverse) { result |= cncurses_a_reverse() }
        if attributes.contains(.italic) { result |= cncurses_a_italic() }
        return result
    }

    /// Whether standard input reports a hang-up or an error instead of data.
    private static func inputHungUp() -> Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) >= 0 else { return false }
        return descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    private static func sleep(_ duration: Duration) {
        guard duration > .zero else { return }
        let nanoseconds = duration.nanoseconds
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
    }

    // MARK: - Setup

    private func readSize() {
        self.columns = max(0, Int(cncurses_cols()))
        self.rows = max(0, Int(cncurses_lines()))
    }

    /// The user's locale, or C.UTF-8 when that is the plain C/POSIX locale: ncurses needs a UTF-8
    /// locale to draw anything beyond ASCII.
    private static func selectLocale() {
        let chosen = setlocale(LC_ALL, "").map { String(cString: $0) }
        if chosen == nil || chosen == "C" || chosen == "POSIX" {
            _ = setlocale(LC_ALL, "C.UTF-8")
        }
    }

    private static func localeIsUTF8() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }

    private static func setUpColors(wanted: Bool) -> ColorCapability {
        let noColor = getenv("NO_COLOR").map { $0.pointee != 0 } ?? false
        guard wanted, !noColor, has_colors() else { return .monochrome }
        guard start_color() == cncurses_ok() else { return .monochrome }
        // Colour -1 is then the terminal's own foreground/background (TerminalColor.default).
        use_default_colors()
        return ColorCapability(colors: Int(cncurses_colors()), directColor: cncurses_has_rgb_flag() != 0)
    }
}
