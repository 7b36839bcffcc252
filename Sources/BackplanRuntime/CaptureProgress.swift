import Foundation

/// The capture's progress line on a terminal (`RunLog.progress`): per source, files and bytes done so far,
/// against the previous snapshot's counts of that source when there is one, read once from its
/// SNAPSHOT.json (a count made in advance would cost a walk of the source). `add` is called from the
/// copier's threads (a lock; the draw itself is throttled by `RunLog.progress`).
final class CaptureProgress: @unchecked Sendable {
    private let log: RunLog
    private let expected: [String: SnapshotRecord.SourceSummary]
    private var source = ""
    private var note: String?
    private var files = 0
    private var bytes: Int64 = 0
    private let lock = NSLock()

    init(log: RunLog, previous: String?) {
        self.log = log
        let record = log.showsProgress ? previous.flatMap { try? SnapshotRecord.read(from: $0) } : nil
        expected = Dictionary((record?.sources ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// A source begins; `note` replaces the counts until the next file (the database backup).
    func start(_ name: String, note: String? = nil) {
        (source, self.note, files, bytes) = (name, note, 0, 0)
        log.progress(force: true) { line }
    }

    /// One file done.
    func add(bytes size: Int64) {
        guard log.showsProgress else { return }
        lock.withLock {
            note = nil
            files += 1
            bytes += size
            log.progress { line }
        }
    }

    /// The source's last counts, drawn whatever the time.
    func finish() { log.progress(force: true) { line } }

    /// `capture uploads: 1234 of ~5000 files, 1.2 GiB of ~4.0 GiB`.
    var line: String {
        if let note { return "capture \(source): \(note)" }
        let previous = expected[source]
        return "capture \(source): \(files)\(previous.map { " of ~\($0.files)" } ?? "") files, "
            + Self.size(bytes) + (previous.map { " of ~" + Self.size($0.bytes) } ?? "")
    }

    /// Bytes in binary units with one decimal: `712.0 KiB`, `1.2 GiB`.
    static func size(_ bytes: Int64) -> String {
        var value = Double(bytes)
        for unit in ["B", "KiB", "MiB", "GiB", "TiB"] {
            if value < 1024 || unit == "TiB" { return unit == "B" ? "\(bytes) B" : String(format: "%.1f", value) + " " + unit }
            value /= 1024
        }
        return "\(bytes) B"
    }
}
