import BackplanCore
import Foundation

/// The app-level check of a snapshot (docs/app-consistency.md): which of the plan's sources are
/// Open WebUI's database, uploads and vector store, and `AppConsistency` on the snapshot's copies.
public enum AppVerifier {
    /// The snapshot's copies of Open WebUI's database, uploads and vector store, by the kinds and names of
    /// `sources` (a sqlite source named `webui.db`, a files source named `uploads`, a chroma source), as far
    /// as the snapshot folder `directory` holds them; nil without the database.
    static func copies(in directory: String, sources: [CompiledSource]) -> (database: String, uploads: String?, vectorStore: String?)? {
        func copy(_ kind: SourceKind, named name: String? = nil) -> String? {
            sources.filter { $0.kind == kind && (name == nil || HostPath.lastComponent($0.path) == name) }
                .map { "\(directory)/\(RunContract.dataDir)/\($0.path)" }
                .first { path in
                    var info = stat()
                    return lstat(path, &info) == 0 && (info.st_mode & S_IFMT == S_IFREG || info.st_mode & S_IFMT == S_IFDIR)
                }
        }
        guard let database = copy(.sqlite, named: "webui.db") else { return nil }
        return (database, copy(.files, named: "uploads"), copy(.chroma))
    }

    /// The report for the snapshot folder `directory` of `plan`; nil when the snapshot holds no
    /// `webui.db` (a job without the database source: nothing to check the rest against). Counts that
    /// differ from those SNAPSHOT.json recorded at capture (`recorded`) are problems too.
    public static func check(_ directory: String, plan: CompiledPlan, recorded: AppConsistency.Counts? = nil)
        -> Result<AppConsistency, FileReadFailure>?
    {
        guard let copies = copies(in: directory, sources: plan.sources) else { return nil }
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
        guard let copies = copies(in: directory, sources: sources) else { return nil }
        return try? AppConsistency.counts(database: copies.database, vectorStore: copies.vectorStore).get()
    }

    /// One line for the summary: what the app holds in the snapshot.
    public static func summary(_ report: AppConsistency) -> String {
        (report.problems.isEmpty ? "app ok: " : "app: \(report.problems.count) problems; ") + report.counts.summary
    }
}
