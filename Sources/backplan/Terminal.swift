import BackplanRuntime
import Foundation

/// Facts about where output goes.
enum Terminal {
    /// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
    static func wantsColor(_ fd: Int32) -> Bool {
        isatty(fd) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
    }

    /// Standard error as `backplan run`'s progress display sees it: nil when it is not a terminal.
    static func runTerminal() -> RunLog.Terminal? {
        guard isatty(2) == 1 else { return nil }
        var size = winsize()
        let columns = ioctl(2, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
        return RunLog.Terminal(width: columns, color: wantsColor(2))
    }

    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
