import Foundation

extension SnapshotVerifier {
    /// `verify --deep`: copies the snapshot as a restore would (`cp -a` of `data/` and the manifest into
    /// a temporary folder) and checks the copy there, so what a restore would read is what is checked.
    /// The temporary folder is removed afterwards.
    public static func verifyRestored(_ snapshot: StoredSnapshot, log: (String) -> Void) throws(RunError) -> VerifyReport {
        var template = Array((NSTemporaryDirectory() + "/backplan-verify-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw RunError("cannot create a temporary folder: \(String(cString: strerror(errno)))")
        }
        let folder = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        log("restoring \(snapshot.job)/\(snapshot.id) into \(folder)")
        let status = ChildProcess.run(["cp", "-a", "--", snapshot.directory + "/data",
                                         snapshot.directory + "/" + SnapshotLayout.manifestName, folder + "/"])
        guard status == 0 else { throw RunError("copying the snapshot into \(folder) failed (cp -a status \(status))") }
        var report = verify(folder)
        report.directory = snapshot.directory
        return report
    }
}
