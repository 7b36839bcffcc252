import BackplanCore
import Foundation

/// Step 4: captures every source of a job into `<dir>/data/<source path>` (docs/run-contract.md):
/// `sqlite` by online backup, `chroma` its `chroma.sqlite3` the same way and every other file like
/// `files`, which are hard-linked against the previous snapshot when unchanged, honouring `exclude`.
public struct CaptureRunner: Sendable {
    public var sources: [CompiledSource]
    /// The previous complete snapshot folder on the capture target, or nil.
    public var previous: String?
    public var log: RunLog
    public var cancellation: RunCancellation
    public var backup = SQLiteBackup()

    /// What chroma's database leaves beside it; copied by the backup, never as files.
    static let chromaExcludes = ["/chroma.sqlite3", "/chroma.sqlite3-journal", "/chroma.sqlite3-wal", "/chroma.sqlite3-shm"]

    public init(sources: [CompiledSource], previous: String?, log: RunLog, cancellation: RunCancellation) {
        self.sources = sources
        self.previous = previous
        self.log = log
        self.cancellation = cancellation
    }

    /// Captures every source into `dir/data`; throws the first failure (or the cancellation's reason).
    public func capture(into dir: String) throws {
        for source in sources {
            try cancellation.check()
            log.log("capture: source \(source.name) (\(source.kind)) \(source.absolutePath)", step: "capture")
            let dest = dir + "/data/" + source.path
            switch source.kind {
            case "sqlite":
                try backup.copy(source.absolutePath, to: dest, cancellation: cancellation)
            case "chroma":
                try backup.copy(source.absolutePath + "/chroma.sqlite3", to: dest + "/chroma.sqlite3", cancellation: cancellation)
                try copyFiles(source, into: dir, extraExcludes: Self.chromaExcludes)
            case "files":
                try copyFiles(source, into: dir, extraExcludes: [])
            default:
                throw RunError("capture: source \(source.name): kind \(source.kind) is not supported")
            }
        }
        try cancellation.check()
        log.log("capture: done", step: "capture")
    }

    /// A folder source into `data/<path>/`, a single file into `data/<parent>/`, like the bash rsync calls.
    private func copyFiles(_ source: CompiledSource, into dir: String, extraExcludes: [String]) throws {
        let dest = dir + "/data/" + source.path
        let parent = (source.path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.absolutePath, isDirectory: &isDirectory) else {
            throw RunError("capture: copying \(source.absolutePath) failed: it does not exist")
        }
        let linkRoot = isDirectory.boolValue ? source.path : parent
        let linkDest = previous.map { $0 + "/data" + (linkRoot.isEmpty ? "" : "/" + linkRoot) }
        var copier = TreeCopier(exclude: TreeCopierExclude(source.exclude + extraExcludes),
                                linkDest: linkDest.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil },
                                cancellation: cancellation)
        let log = self.log
        copier.onVanished = { log.log("capture: warning: \($0) vanished while it was copied", step: "capture") }
        if isDirectory.boolValue {
            try FileManager.default.createDirectory(atPath: (dest as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try copier.copyTree(source.absolutePath, to: dest)
        } else {
            try FileManager.default.createDirectory(atPath: dir + "/data/" + parent, withIntermediateDirectories: true)
            try copier.copyEntry(source.absolutePath, to: dest)
        }
    }
}
