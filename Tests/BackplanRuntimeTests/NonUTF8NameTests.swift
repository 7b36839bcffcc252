import BackplanRuntime
import Foundation
import Testing

/// File names are bytes: an upload whose name is not UTF-8 (Latin-1 `café menu.txt`, as an older client
/// wrote it) is captured, listed in MANIFEST.sha256, verified and restored with exactly its bytes, in
/// both executors, and a snapshot made by either executor verifies and restores in the other.
@Suite struct NonUTF8NameTests {
    /// `uploads/caf\xE9 menu.txt`, relative to the data dir.
    static let name: [UInt8] = Array("uploads/caf".utf8) + [0xE9] + Array(" menu.txt".utf8)
    static let contents = "the menu\n"

    /// Calls `body` with `folder/relative` as a C string of exactly those bytes (not through backplan's
    /// own path code, which is what is tested).
    static func withPath<R>(_ folder: String, _ relative: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        let bytes = (Array((folder + "/").utf8) + relative + [0]).map { CChar(bitPattern: $0) }
        return bytes.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// The contents of regular file `folder/relative`, or nil when there is none by that name.
    static func read(_ folder: String, _ relative: [UInt8]) -> String? {
        let fd = withPath(folder, relative) { open($0, O_RDONLY | O_NOFOLLOW) }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = Foundation.read(fd, &buffer, buffer.count)
        return count < 0 ? nil : String(decoding: buffer[0..<count], as: UTF8.self)
    }

    static func write(_ folder: String, _ relative: [UInt8], _ text: String) throws {
        let fd = withPath(folder, relative) { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        guard fd >= 0 else { throw SnapshotWorkspace.Failure(description: "cannot create the test file") }
        defer { close(fd) }
        _ = Array(text.utf8).withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
    }

    /// The manifest holds the name's own bytes, as sha256sum writes them (no escape, no U+FFFD).
    static func manifestListsRawName(_ snapshot: String) throws -> Bool {
        let manifest = try Data(contentsOf: URL(fileURLWithPath: snapshot + "/MANIFEST.sha256"))
        return manifest.range(of: Data("  data/".utf8) + Data(name) + Data("\n".utf8)) != nil
    }

    @Test(arguments: Executor.allCases)
    func aNameThatIsNotUTF8KeepsItsBytes(capturedBy executor: Executor) throws {
        let workspace = try SnapshotWorkspace()
        defer { workspace.remove() }
        try Self.write(workspace.dataDir, Self.name, Self.contents)
        let run = try executor.run(workspace.plan, in: workspace.root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("vanished"), "\(run.stderr)")
        let id = try #require(SnapshotLayout(root: workspace.backups, plan: workspace.plan.name).completeSnapshots(job: "daily").last)
        let snapshot = "\(workspace.jobDir)/\(id)"
        #expect(Self.read(snapshot + "/data", Self.name) == Self.contents, "the snapshot lacks the file under its own name")
        #expect(try Self.manifestListsRawName(snapshot))

        let bashVerify = try workspace.restoreScript(["verify", "local"])
        #expect(bashVerify.status == 0 && bashVerify.stdout.contains("ok: "), "\(bashVerify.stdout)\(bashVerify.stderr)")
        let verify = workspace.backplan("verify", ["--target", "local"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(SnapshotVerifier.verify(snapshot).passed)

        let byScript = workspace.root + "/restored-bash", byRuntime = workspace.root + "/restored-runtime"
        let bashRestore = try workspace.restoreScript(["restore", "local", byScript])
        #expect(bashRestore.status == 0, "\(bashRestore.stdout)\(bashRestore.stderr)")
        let restore = workspace.backplan("restore", ["--target", "local", "--to", byRuntime])
        #expect(restore.status == 0, "\(restore.stdout)\(restore.stderr)")
        for folder in [byScript, byRuntime] {
            #expect(Self.read(folder, Self.name) == Self.contents, "\(folder) lacks the file under its own name")
        }
    }

    /// Through a restic target (a local repository; restic 0.14 stores names as bytes): what the job
    /// script uploaded is restored by `backplan restore`, and what `backplan run` uploaded by restore.sh,
    /// each file under its own name.
    @Test func aResticTargetKeepsTheBytes() throws {
        let w = try ResticWorkspace(s3: nil)
        defer { w.remove() }
        try Self.write(w.workspace.dataDir, Self.name, Self.contents)
        let script = try w.jobScript()
        #expect(script.status == 0, "\(script.stderr)")
        let bashID = try #require(SnapshotLayout(root: w.workspace.backups, plan: w.workspace.plan.name).completeSnapshots(job: "daily").last)
        let run = w.backplan("run", ["daily"])
        #expect(run.status == 0, "\(run.stderr)")
        let runtimeID = try #require(SnapshotLayout(root: w.workspace.backups, plan: w.workspace.plan.name).completeSnapshots(job: "daily").last)
        #expect(runtimeID != bashID)

        let byRuntime = w.root + "/restored-by-runtime", byScript = w.root + "/restored-by-script"
        let restore = w.backplan("restore", ["--target", "offsite", "--snapshot", bashID, "--to", byRuntime])
        #expect(restore.status == 0, "\(restore.stderr)")
        let restoreSh = try w.restoreScript(["restore", "offsite", "daily", runtimeID, byScript])
        #expect(restoreSh.status == 0, "\(restoreSh.stderr)")
        for folder in [byRuntime, byScript] {
            #expect(Self.read(folder, Self.name) == Self.contents, "\(folder) lacks the file under its own name")
        }
    }
}
