/// terminal-demo: a tiny program that drives the Terminal target on a real terminal, for the tmux
/// tests in Tests/TerminalTests and for a quick look by hand. It is not part of the product.
///
/// It draws a box, a wide character, some colours, its size, its pid and the last key, redraws on
/// resize, and quits on `q` (exit 0, after restoring the screen and printing one line).
///
/// `terminal-demo` handles signals itself (``TerminalRestoreSignals/standalone``).
/// `terminal-demo --service-group` runs the loop as a service of a swift-service-lifecycle
/// `ServiceGroup`, the way oauthtop does: SIGTERM and SIGINT (Ctrl-C) shut it down gracefully.
import Cells
import Logging
import ServiceLifecycle
import Terminal
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

func printError(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
}

func describe(_ key: TerminalKey) -> String {
    switch key {
    case .character(let character): "char \(character)"
    case .tab: "tab"
    case .backTab: "back-tab"
    case .up: "up"
    case .down: "down"
    case .left: "left"
    case .right: "right"
    case .escape: "escape"
    case .enter: "enter"
    case .f1: "f1"
    case .ctrlC: "ctrl-c"
    case .resize: "resize"
    }
}

func frame(columns: Int, rows: Int, lastKey: String, capability: ColorCapability) -> CellGrid {
    var grid = CellGrid(width: columns, height: rows)
    guard columns >= 30, rows >= 10 else {
        grid.write("too small: \(columns)x\(rows)", x: 0, y: 0)
        return grid
    }
    let border = CellStyle(foreground: .ansi(6))
    grid.write("┌" + String(repeating: "─", count: columns - 2) + "┐", x: 0, y: 0, style: border)
    for y in 1..<(rows - 1) {
        grid.write("│", x: 0, y: y, style: border)
        grid.write("│", x: columns - 1, y: y, style: border)
    }
    grid.write("└" + String(repeating: "─", count: columns - 2) + "┘", x: 0, y: rows - 1, style: border)
    grid.write(" terminal-demo ", x: 2, y: 0, style: CellStyle(attributes: .bold))

    grid.write("size: \(columns)x\(rows)", x: 2, y: 2)
    grid.write("last key: \(lastKey)", x: 2, y: 3)
    grid.write("pid: \(getpid())", x: 2, y: 4)
    grid.write("wide: 幅 ok", x: 2, y: 5)
    var x = 2
    x += grid.write("colours (\(capability)): ", x: x, y: 6)
    x += grid.write("red ", x: x, y: 6, style: CellStyle(foreground: .ansi(1), attributes: .bold))
    x += grid.write("green ", x: x, y: 6, style: CellStyle(foreground: .ansi(2)))
    x += grid.write("orange ", x: x, y: 6, style: CellStyle(foreground: .rgb(255, 136, 0)))
    grid.write(" reverse ", x: x, y: 6, style: CellStyle(background: .indexed(24), attributes: .reverse))
    grid.write("keys: arrows, tab, F1, Esc, Enter; q quits", x: 2, y: 8, style: CellStyle(attributes: .dim))
    return grid
}

guard TerminalScreen.isTerminal else {
    printError("terminal-demo: standard input and output must be a terminal")
    exit(2)
}

if CommandLine.arguments.contains("--service-group") {
    let logger = Logger(label: "terminal-demo") { _ in SwiftLogNoOpLogHandler() }
    let group = ServiceGroup(
        configuration: ServiceGroupConfiguration(
            services: [DemoService()],
            gracefulShutdownSignals: [.sigterm, .sigint, .sighup],
            logger: logger
        )
    )
    do {
        try await group.run()
    } catch {
        printError("terminal-demo: \(error)")
        exit(1)
    }
    exit(0)
}

let screen = TerminalScreen()
do {
    try await screen.start(options: TerminalOptions(restoreSignals: .standalone))
} catch {
    printError("terminal-demo: \(error)")
    exit(1)
}
let lastKey = await DemoLoop.run(on: screen) { false }
await screen.stop()
print("terminal-demo: screen restored, last key \(lastKey)")
exit(0)
