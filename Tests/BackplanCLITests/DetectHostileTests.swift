import Foundation
import Testing

/// detect on fifos where files are expected (never blocks) and on data it cannot read (says so).
@Suite struct DetectHostileTests {
    static let asNobody = ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]

    /// A copy of the fixture's data dir at `dir/data`, readable by everyone (nobody runs detect on it).
    static func dataDir(in dir: borrowing TemporaryDirectory) throws -> String {
        let copy = Process()
        copy.executableURL = URL(fileURLWithPath: "/bin/cp")
        copy.arguments = ["-a", Backplan.repository + "/fixtures/openwebui-0.12.4/data", dir.path + "/data"]
        try copy.run()
        copy.waitUntilExit()
        try #require(copy.terminationStatus == 0)
        try #require(chmod(dir.path, 0o755) == 0)
        return dir.path + "/data"
    }

    @Test func aComposeFileThatIsAFifoIsRefusedWithoutBlocking() throws {
        let dir = try TemporaryDirectory()
        try #require(mkfifo(dir.path + "/compose.yaml", 0o600) == 0)
        let r = try Backplan.run(["detect", "--compose", "compose.yaml"], in: dir.path, timeout: 20)
        #expect(r.status == 1)
        #expect(r.stderr.contains("cannot read the compose file: it is not a regular file"), "\(r.stderr)")
    }

    @Test func anEnvFileThatIsAFifoIsRefusedWithoutBlocking() throws {
        let dir = try TemporaryDirectory()
        try dir.write("compose.yaml", """
            services:
              app:
                image: ghcr.io/open-webui/open-webui:0.12.4
                env_file: app.env
                volumes: ["./data:/app/backend/data"]

            """)
        try #require(mkfifo(dir.path + "/app.env", 0o600) == 0)
        let r = try Backplan.run(["detect", "--compose", "compose.yaml"], in: dir.path, timeout: 20)
        #expect(r.status == 1)
        #expect(r.stderr.contains("env_file 'app.env' of service 'app' cannot be read: it is not a regular file"), "\(r.stderr)")
    }

    @Test func aDataDirNobodyCanListIsAnError() throws {
        let dir = try TemporaryDirectory()
        let data = try Self.dataDir(in: dir)
        try #require(chmod(data, 0o000) == 0)
        let r = try Backplan.run(["detect", "--data-dir", data], in: dir.path, wrapper: Self.asNobody)
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("error[BP008]: cannot read the data dir \(data): Permission denied"), "\(r.stderr)")
    }

    @Test func anUnreadableUploadsFolderAndDatabaseAreNamed() throws {
        let dir = try TemporaryDirectory()
        let data = try Self.dataDir(in: dir)
        try #require(chmod(data + "/uploads", 0o000) == 0)
        try #require(chmod(data + "/webui.db", 0o000) == 0)
        let r = try Backplan.run(["detect", "--data-dir", data], in: dir.path, wrapper: Self.asNobody)
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("error[BP008]: cannot read \(data)/uploads: a backup would fail on it"), "\(r.stderr)")
        #expect(r.stderr.contains("error[BP008]: cannot read \(data)/webui.db: a backup would fail on it"), "\(r.stderr)")
        #expect(r.stdout.contains("uploads/  files, 0 files, 0 bytes, cannot read uploads"), "\(r.stdout)")
        #expect(r.stdout.contains("cannot read webui.db"), "\(r.stdout)")
        // Root reads it all: no error.
        let root = try Backplan.run(["detect", "--data-dir", data], in: dir.path)
        #expect(root.status == 0, "\(root.stderr)")
        #expect(!root.stdout.contains("cannot read"))
    }

    @Test func oneUnreadableFileDeepInAFolderIsNamed() throws {
        let dir = try TemporaryDirectory()
        let data = try Self.dataDir(in: dir)
        try dir.write("data/uploads/deep/secret.txt", "private\n")
        // The folder's mode is set, not left to the umask: the test process's umask is shared with
        // tests that run the runtime in process (it sets 077 while a run writes).
        try #require(chmod(data + "/uploads/deep", 0o755) == 0)
        try #require(chmod(data + "/uploads/deep/secret.txt", 0o000) == 0)
        let r = try Backplan.run(["detect", "--data-dir", data], in: dir.path, wrapper: Self.asNobody)
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("cannot read \(data)/uploads/deep/secret.txt: a backup would fail on it"), "\(r.stderr)")
    }
}
