import BackplanCore
import Foundation

/// Step 2: checks that change nothing: the data dir, each source with its kind, each local target's
/// folder (or its parent) writable; curl when the plan has a webhook (a warning). Every problem is logged as an error; returns false if there was any.
enum RunPreflight {
    static func check(plan: CompiledPlan, sources: [CompiledSource], targets: [CompiledTarget], log: RunLog) -> Bool {
        var ok = true
        func fail(_ message: String) {
            log.error("preflight: \(message)", step: .preflight)
            ok = false
        }
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: plan.dataDir, isDirectory: &isDirectory) || !isDirectory.boolValue {
            fail("data dir \(plan.dataDir) is not a folder")
        }
        for source in sources {
            switch source.kind {
            case .sqlite where !SQLiteBackup.hasHeader(source.absolutePath):
                fail("source \(source.name): \(source.absolutePath) is not a readable SQLite file")
            case .chroma where !SQLiteBackup.hasHeader(source.absolutePath + "/chroma.sqlite3"):
                fail("source \(source.name): \(source.absolutePath) holds no readable chroma.sqlite3")
            case .files where !FileManager.default.fileExists(atPath: source.absolutePath):
                fail("source \(source.name): \(source.absolutePath) does not exist")
            case .key where source.service == nil:
                // Opened as a regular file (a fifo must not block the preflight), then closed.
                switch RegularFile.open(source.absolutePath) {
                case .success(let fd): close(fd)
                case .failure(let refusal): fail("key \(source.name): \(source.absolutePath): \(refusal.phrase)")
                }
            case .sqlite, .chroma, .files, .key: break
            }
        }
        for target in targets where target.type == .local {
            let dir = target.path ?? ""
            if FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) {
                if !isDirectory.boolValue || access(dir, W_OK) != 0 { fail("target \(target.name): \(dir) is not a writable folder") }
            } else {
                let parent = (dir as NSString).deletingLastPathComponent
                if access(parent, W_OK) != 0 {
                    fail("target \(target.name): neither \(dir) nor its parent folder exists writable")
                }
            }
        }
        if plan.notify != nil && !RunNotifier.inPath("curl", ProcessInfo.processInfo.environment["PATH"]) {
            log.log("preflight: warning: curl not found; the webhook notification will fail (the backup is not affected)", step: .preflight)
        }
        if ok { log.log("preflight: ok (\(sources.count) sources, \(targets.count) targets)", step: .preflight) }
        return ok
    }
}
