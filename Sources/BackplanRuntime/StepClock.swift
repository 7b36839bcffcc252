import Foundation

/// `backplan run --timings`: the wall time of each step of a run, in the order the steps first ran,
/// logged as one `timing:` line at the end. Thread-safe.
final class StepClock: @unchecked Sendable {
    private let lock = NSLock()
    private var order: [String] = []
    private var seconds: [String: Double] = [:]
    private let started = StepClock.now()

    /// Adds `elapsed` seconds to `step` (a name with a `.` is a part of another step's time, shown only
    /// through `details`).
    func add(_ step: String, _ elapsed: Double) {
        lock.withLock {
            if seconds[step] == nil && !step.contains(".") { order.append(step) }
            seconds[step, default: 0] += elapsed
        }
    }

    /// Runs `body`, adding its time to `step`.
    func measure<T>(_ step: String, _ body: () throws -> T) rethrows -> T {
        let start = Self.now()
        defer { add(step, Self.now() - start) }
        return try body()
    }

    /// Seconds of `step` so far (0 when it did not run).
    func time(_ step: String) -> Double { lock.withLock { seconds[step] ?? 0 } }

    /// `timing: prepare 0.004 s, capture 0.812 s (…), …; total 1.321 s`, `details` after a step's time.
    func line(details: [String: String]) -> String {
        let parts = lock.withLock {
            order.map { step in "\(step) \(Self.format(seconds[step] ?? 0))" + (details[step].map { " (\($0))" } ?? "") }
        }
        return "timing: " + parts.joined(separator: ", ") + "; total \(Self.format(Self.now() - started))"
    }

    static func format(_ seconds: Double) -> String { String(format: "%.3f s", seconds) }

    /// A monotonic clock in seconds.
    static func now() -> Double { TreeCopier.now() }
}
