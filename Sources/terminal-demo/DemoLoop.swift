import Cells
import Terminal

/// The demo's draw-and-read loop, shared by the standalone and the service-group modes.
enum DemoLoop {
    /// Draws and reads keys until `q` or until `shouldStop` says so.
    ///
    /// - Returns: The name of the last key before the end.
    static func run(on screen: TerminalScreen, shouldStop: () -> Bool) async -> String {
        var lastKey = "none"
        while !shouldStop() {
            let size = await screen.size
            let capability = await screen.colorCapability
            await screen.draw(frame(columns: size.columns, rows: size.rows, lastKey: lastKey, capability: capability))
            guard let key = await screen.readKey(timeout: .seconds(1)) else { continue }
            if key == .character("q") { break }
            lastKey = describe(key)
        }
        return lastKey
    }
}
