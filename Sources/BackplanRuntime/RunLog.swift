import BackplanCore
import Foundation

/// The run's log: one line per step, `backplan[plan/job]: message` on standard error, or with `json`
/// one JSON object per line on standard output (`{"job":…,"message":…,"plan":…,"step":…,"time":…}`).
/// Lines can also be collected in memory (tests). Thread-safe: the watchdog and signal threads log too.
/// With a `terminal` (standard error is one), text output also shows a progress line that is redrawn in
/// place (`progress`) and cleared before the next log line.
public final class RunLog: @unchecked Sendable {
    /// Where lines go.
    public enum Output: Sendable {
        case text
        case json
        case silent
    }

    /// What the terminal on standard error allows: its width, and whether bold and colour are wanted
    /// (never when NO_COLOR is set; the CLI decides).
    public struct Terminal: Sendable {
        public var width: Int
        public var color: Bool
        public init(width: Int, color: Bool) {
            self.width = width
            self.color = color
        }
    }

    public let plan: String
    public let job: String
    private let output: Output
    private let terminal: Terminal?
    private let lock = NSLock()
    private var collected: [String] = []
    /// The run's first error (runs.jsonl's `error`).
    private var firstError: String?
    /// A progress line is on screen (cleared before the next log line).
    private var progressShown = false
    private var lastDraw: UInt64 = 0

    /// `terminal` is used only with `.text`.
    public init(plan: String, job: String, output: Output = .text, terminal: Terminal? = nil) {
        self.plan = plan
        self.job = job
        self.output = output
        self.terminal = output == .text ? terminal : nil
    }

    /// Logs one step; `step` names it in JSON output (`lock`, `capture`, `quiesce`, …).
    public func log(_ message: String, step: RunContract.Step = .run) {
        let line = "backplan[\(plan)/\(job)]: \(message)"
        lock.withLock {
            collected.append(line)
            switch output {
            case .text:
                let clear = progressShown ? "\r\u{1B}[K" : ""
                progressShown = false
                FileHandle.standardError.write(Data((clear + styled(line, message) + "\n").utf8))
            case .json: FileHandle.standardOutput.write(Data((jsonLine(message, step: step) + "\n").utf8))
            case .silent: break
            }
        }
    }

    /// Whether `progress` draws anything (standard error is a terminal).
    public var showsProgress: Bool { terminal != nil }

    /// Redraws the progress line with `text()`: at most 10 times a second unless `force`; nothing (and no
    /// call of `text`) when standard error is not a terminal. Never part of `lines` or the JSON output.
    public func progress(force: Bool = false, _ text: () -> String) {
        guard let terminal else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        lock.withLock {
            guard force || now &- lastDraw >= 100_000_000 else { return }
            lastDraw = now
            progressShown = true
            var shown = text()
            if shown.count >= terminal.width { shown = String(shown.prefix(max(0, terminal.width - 2))) + "…" }
            if terminal.color, let colon = shown.firstIndex(of: ":") {
                shown = "\u{1B}[1m" + shown[..<colon] + "\u{1B}[0m" + shown[colon...]
            }
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + shown).utf8))
        }
    }

    /// Errors in bold red and warnings in bold yellow, with colour on.
    private func styled(_ line: String, _ message: String) -> String {
        guard terminal?.color == true else { return line }
        if message.hasPrefix("error:") { return "\u{1B}[1;31m" + line + "\u{1B}[0m" }
        if message.contains("warning:") { return "\u{1B}[1;33m" + line + "\u{1B}[0m" }
        return line
    }

    /// Logs an error; the first one becomes the run's error.
    public func error(_ message: String, step: RunContract.Step = .run) {
        lock.withLock { if firstError == nil { firstError = message } }
        log("error: \(message)", step: step)
    }

    public var runError: String? { lock.withLock { firstError } }
    /// Every line logged so far, as text.
    public var lines: [String] { lock.withLock { collected } }

    private func jsonLine(_ message: String, step: RunContract.Step) -> String {
        let object: [String: String] = ["plan": plan, "job": job, "step": step.rawValue, "message": message,
                                        "time": RunClock.iso(Date())]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return TerminalText.escapeJSON(String(decoding: data, as: UTF8.self))
    }
}

/// Times as the contract writes them: IDs `YYYYMMDDTHHMMSSZ` and ISO 8601 UTC seconds (`CivilTime`'s text).
public enum RunClock {
    /// `2026-11-27T03:15:00Z`.
    public static func iso(_ date: Date) -> String { CivilTime(utc: date).extendedUTC }
    /// `20261127T031500Z`.
    public static func id(_ date: Date) -> String { CivilTime(utc: date).basicUTC }
    /// ISO form of an ID; a text that is not an ID comes back as it is.
    public static func iso(id: String) -> String { SnapshotTime(id: id)?.extendedUTC ?? id }

    /// Milliseconds since the epoch.
    public static func nowMs() -> Int { Int(Date().timeIntervalSince1970 * 1000) }
}
