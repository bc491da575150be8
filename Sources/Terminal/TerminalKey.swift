import Cells

/// A key press or terminal event read by ``TerminalScreen/readKey(timeout:)``: the dashboard's own
/// key type, so what the terminal reads goes to the key table without translation.
public typealias TerminalKey = Key
