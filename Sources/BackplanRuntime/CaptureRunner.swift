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

    /// Captures every source into `dir/data`; returns what it wrote (paths relative to `dir`), throws the
    /// first failure (or the cancellation's reason).
    public func capture(into dir: String) throws -> CaptureInventory {
        var inventory = CaptureInventory()
        let progress = CaptureProgress(log: log, previous: previous)
        for source in sources where source.kind != .key { // keys: KeyCapture, before the stop
            try cancellation.check()
            log.log("capture: source \(source.name) (\(source.kind.rawValue)) \(source.absolutePath)", step: .capture)
            let dest = dir + "/data/" + source.path
            switch source.kind {
            case .sqlite:
                inventory.files[RunContract.dataDir + "/" + source.path] = try copyDatabase(source.absolutePath, to: dest, source.name, progress)
            case .chroma:
                inventory.files[RunContract.dataDir + "/" + source.path + "/chroma.sqlite3"] =
                    try copyDatabase(source.absolutePath + "/chroma.sqlite3", to: dest + "/chroma.sqlite3", source.name, progress)
                try copyFiles(source, into: dir, extraExcludes: Self.chromaExcludes, progress, recording: &inventory)
            case .files:
                progress.start(source.name)
                try copyFiles(source, into: dir, extraExcludes: [], progress, recording: &inventory)
            case .key:
                break
            }
            progress.finish()
        }
        try cancellation.check()
        log.log("capture: done", step: .capture)
        return inventory
    }

    /// The online backup of one database; the progress line shows its size meanwhile (one step copies it).
    private func copyDatabase(_ path: String, to dest: String, _ name: String, _ progress: CaptureProgress) throws -> CaptureInventory.File {
        var st = stat()
        progress.start(name, note: lstat(path, &st) == 0 ? "SQLite online backup of \(CaptureProgress.size(Int64(st.st_size)))" : nil)
        let file = try backup.copy(path, to: dest, cancellation: cancellation) { [log] in log.log("capture: " + $0, step: .capture) }
        progress.add(bytes: file.bytes)
        return file
    }

    /// A folder source into `data/<path>/`, a single file into `data/<parent>/`, like the bash rsync calls.
    private func copyFiles(_ source: CompiledSource, into dir: String, extraExcludes: [String], _ progress: CaptureProgress,
                           recording inventory: inout CaptureInventory) throws {
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
        copier.onVanished = { log.log("capture: warning: \(PathBytes.display($0)) vanished while it was copied", step: .capture) }
        copier.onSkippedLink = { log.log("capture: warning: skipping the symbolic link \(PathBytes.display($0)): a snapshot holds only folders and regular files", step: .capture) }
        copier.onFile = { progress.add(bytes: $0) }
        if isDirectory.boolValue {
            try FileManager.default.createDirectory(atPath: (dest as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try copier.copyTree(source.absolutePath, to: dest, recording: &inventory, as: RunContract.dataDir + "/" + source.path + "/")
        } else {
            try FileManager.default.createDirectory(atPath: dir + "/data/" + parent, withIntermediateDirectories: true)
            try copier.copyEntry(source.absolutePath, to: dest, recording: &inventory,
                                 as: RunContract.dataDir + "/" + (parent.isEmpty ? "" : parent + "/"))
        }
    }
}
