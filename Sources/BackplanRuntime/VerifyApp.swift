import BackplanCore
import Foundation

/// The app-level check of a snapshot (docs/app-consistency.md): which of the snapshot's sources are
/// Open WebUI's database, uploads and vector store, and `AppConsistency` on the snapshot's copies.
public enum AppVerifier {
    /// A source as a snapshot lists it (SNAPSHOT.json's `sources`) or a plan does: its kind and its path
    /// under `data/`.
    typealias Source = (kind: String, path: String)

    /// The snapshot's copies of Open WebUI's database, uploads and vector store: the first sqlite source
    /// named `webui.db` that is a regular file, files source named `uploads` that is a folder, and chroma
    /// source that is a folder, in the snapshot folder `directory` (not through a link; a path that is
    /// not inside `data/` is skipped); nil without the database. restore.sh's `bp_app_check` picks the same.
    static func copies(in directory: String, sources: [Source]) -> (database: String, uploads: String?, vectorStore: String?)? {
        func copy(_ kind: SourceKind, named name: String?, type: mode_t) -> String? {
            sources.filter { source in
                let parts = source.path.split(separator: "/", omittingEmptySubsequences: false)
                return source.kind == kind.rawValue && !parts.contains { $0.isEmpty || $0 == "." || $0 == ".." }
                    && (name == nil || parts.last.map(String.init) == name)
            }
            .map { "\(directory)/\(RunContract.dataDir)/\($0.path)" }
            .first { path in
                var info = stat()
                return lstat(path, &info) == 0 && info.st_mode & S_IFMT == type
            }
        }
        guard let database = copy(.sqlite, named: "webui.db", type: S_IFREG) else { return nil }
        return (database, copy(.files, named: "uploads", type: S_IFDIR), copy(.chroma, named: nil, type: S_IFDIR))
    }

    /// The report for the snapshot folder `directory`, found by the sources its `record` lists (the
    /// plan's when it has none); nil when the snapshot holds no `webui.db` (a job without the database
    /// source: nothing to check the rest against). Counts that differ from those the record holds from
    /// the capture are problems too.
    public static func check(_ directory: String, record: SnapshotRecord?, plan: CompiledPlan) -> Result<AppConsistency, FileReadFailure>? {
        let sources: [Source] = record?.sources.map { ($0.kind, $0.path) } ?? plan.sources.map { ($0.kind.rawValue, $0.path) }
        guard let copies = copies(in: directory, sources: sources) else { return nil }
        let recorded = record?.app.counts
        return AppConsistency.check(database: copies.database, uploads: copies.uploads, vectorStore: copies.vectorStore).map { report in
            var report = report
            for difference in recorded?.differences(from: report.counts) ?? [] {
                report.problems.append(AppConsistency.Problem(kind: .countsDiffer, id: RunContract.recordFile, name: "app.counts",
                                                              detail: difference))
            }
            return report
        }
    }

    /// What SNAPSHOT.json records of the app at capture: the counts of the captured copies.
    static func counts(in directory: String, sources: [CompiledSource]) -> AppConsistency.Counts? {
        guard let copies = copies(in: directory, sources: sources.map { ($0.kind.rawValue, $0.path) }) else { return nil }
        return try? AppConsistency.counts(database: copies.database, vectorStore: copies.vectorStore).get()
    }

    /// One line for the summary: what the app holds in the snapshot.
    public static func summary(_ report: AppConsistency) -> String {
        (report.problems.isEmpty ? "app ok: " : "app: \(report.problems.count) problems; ") + report.counts.summary
    }
}
