import BackplanCore
import Foundation

/// The app-level check of a snapshot (docs/app-consistency.md): which of the plan's sources are
/// Open WebUI's database, uploads and vector store, and `AppConsistency` on the snapshot's copies.
public enum AppVerifier {
    /// The report for the snapshot folder `directory` of `plan`; nil when the snapshot holds no
    /// `webui.db` (a job without the database source: nothing to check the rest against).
    public static func check(_ directory: String, plan: CompiledPlan) -> Result<AppConsistency, FileReadFailure>? {
        func copy(_ kind: SourceKind, named name: String? = nil) -> String? {
            plan.sources.filter { $0.kind == kind && (name == nil || HostPath.lastComponent($0.path) == name) }
                .map { "\(directory)/data/\($0.path)" }
                .first { path in
                    var info = stat()
                    return lstat(path, &info) == 0 && (info.st_mode & S_IFMT == S_IFREG || info.st_mode & S_IFMT == S_IFDIR)
                }
        }
        guard let database = copy(.sqlite, named: "webui.db") else { return nil }
        return AppConsistency.check(database: database, uploads: copy(.files, named: "uploads"), vectorStore: copy(.chroma))
    }

    /// One line for the summary: what the app holds in the snapshot.
    public static func summary(_ report: AppConsistency) -> String {
        let c = report.counts
        let parts: [(Int?, String)] = [(c.users, "users"), (c.chats, "chats"), (c.messages, "messages"), (c.files, "files"),
                                       (c.knowledgeBases, "knowledge bases"), (c.collections, "vector collections"),
                                       (c.embeddings, "embeddings")]
        let counts = parts.compactMap { count, noun in count.map { "\($0) \(noun)" } }.joined(separator: ", ")
        return (report.problems.isEmpty ? "app ok: " : "app: \(report.problems.count) problems; ") + counts
    }
}
