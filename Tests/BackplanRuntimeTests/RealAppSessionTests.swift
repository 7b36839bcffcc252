import Foundation
import TestSupport
import Testing

/// Issue 12's real-app test: a real Open WebUI 0.12.4 (a pip install, `scripts/app-deps.sh`), started
/// as a pip install starts (no `WEBUI_SECRET_KEY` in its environment: it generates
/// `.webui_secret_key` in its working directory), is backed up with `backplan` (plan sources database,
/// vectors, uploads and the key file as `kind: key`), restored into a fresh data dir, and started again
/// from a fresh working directory holding the restored key: a session token issued before the backup is
/// still accepted. Restored without the key capture, the new instance generates a new key and rejects
/// the same token (401), while the data is all there (the password still signs in).
///
/// Costs three starts of the app (about 45 s each here) and needs the 3 GB install: it runs only when
/// `BACKPLAN_APP_VENV` names the venv, which `make test-app` sets (docs/development.md).
@Suite(.serialized, .enabled(if: OpenWebUIService.venv != nil,
                             "BACKPLAN_APP_VENV is unset: `make test-app` installs Open WebUI 0.12.4 (scripts/app-deps.sh) and runs this suite"))
struct RealAppSessionTests {
    static let email = "admin@example.com"
    static let password = "Backplan-test-pass-7Qx"
    static let chatTitle = "Written before the backup"
    static let uploadText = "hello from before the backup\n"

    /// A compiled plan over `dataDir` into the local target `backups`; with `key`, the key file too.
    static func writePlan(name: String, root: String, dataDir: String, key: String?) throws -> String {
        var sources = """
              database: {path: webui.db, kind: sqlite}
              vectors: {path: vector_db, kind: chroma}
              uploads: {path: uploads, kind: files}

            """
        if let key { sources += "  secret-key: {kind: key, path: \(key)}\n" }
        let yaml = """
            version: 1
            name: \(name)
            deployment:
              data_dir: \(dataDir)
              state_dir: \(root)/state/\(name)
            sources:
            \(sources)ignore: [cache]
            targets:
              local: {type: local, path: \(root)/backups}
            jobs:
              daily:
                schedule: "*-*-* 03:15"
                targets: [local]
                retention: {keep_last: 5}

            """
        try FileManager.default.createDirectory(atPath: root + "/plans", withIntermediateDirectories: true)
        let file = "\(root)/plans/\(name).yaml"
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        let compiled = backplan(["compile", file, "--generated", root + "/generated"])
        try #require(compiled.status == 0, "backplan compile \(name): \(compiled.stderr)\(compiled.stdout)")
        return "\(root)/generated/\(name)/plan.json"
    }

    static func backplan(_ arguments: [String]) -> CleanProcess.Result {
        CleanProcess.run(SnapshotWorkspace.binary, arguments,
                         environment: ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 })
    }

    /// The complete snapshots of job `daily` of plan `name` in the local target, oldest first.
    static func snapshots(root: String, plan name: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/backups/\(name)/daily")) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    static func chatTitles(_ app: OpenWebUIService, token: String) throws -> [String] {
        let list = try app.request("GET", "/api/v1/chats/list", token: token)
        try #require(list.status == 200, "chats/list: \(list.status) \(list.body)")
        return ((list.json as? [[String: Any]]) ?? []).compactMap { $0["title"] as? String }
    }

    @Test func aSessionTokenFromBeforeTheBackupIsAcceptedAfterARestoreWithTheKeyAndRejectedWithout() throws {
        let venv = try #require(OpenWebUIService.venv)
        let began = Date()
        let folder = try TemporaryFolder("backplan-realapp")
        let root = folder.path
        let dataDir = root + "/data", work = root + "/work"

        // 1. The app as a pip install runs it; a user, a chat and an upload (indexed into vector_db).
        var app = try OpenWebUIService(venv: venv, dataDir: dataDir, workingDirectory: work)
        let firstStart = app.startSeconds
        let keyPath = app.keyFile
        let key = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        #expect(key.count >= 32, "the server did not generate \(keyPath):\n\(app.log)")
        #expect(!FileManager.default.fileExists(atPath: dataDir + "/.webui_secret_key"))
        let signup = try app.request("POST", "/api/v1/auths/signup",
                                     json: #"{"name": "Admin", "email": "\#(Self.email)", "password": "\#(Self.password)"}"#)
        try #require(signup.status == 200, "signup: \(signup.status) \(signup.body)")
        let token = try #require((signup.json as? [String: Any])?["token"] as? String)
        #expect((signup.json as? [String: Any])?["role"] as? String == "admin")
        let chat = try app.request("POST", "/api/v1/chats/new", token: token,
                                   json: #"{"chat": {"title": "\#(Self.chatTitle)", "messages": []}}"#)
        try #require(chat.status == 200, "chats/new: \(chat.status) \(chat.body)")
        try Self.uploadText.write(toFile: root + "/note.txt", atomically: true, encoding: .utf8)
        let upload = try app.request("POST", "/api/v1/files/", token: token, file: root + "/note.txt")
        try #require(upload.status == 200, "files/: \(upload.status) \(upload.body)")
        let fileID = try #require((upload.json as? [String: Any])?["id"] as? String)
        // Indexing runs in the background: wait until the file's vectors are in the store.
        let indexDeadline = Date().addingTimeInterval(120)
        var status = ""
        while Date() < indexDeadline {
            let file = try app.request("GET", "/api/v1/files/\(fileID)", token: token)
            status = ((file.json as? [String: Any])?["data"] as? [String: Any])?["status"] as? String ?? ""
            if status == "completed" || status == "failed" { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        try #require(status == "completed", "the upload was not indexed (\(status)):\n\(app.log.suffix(3000))")
        #expect(try app.request("GET", "/api/v1/auths/", token: token).status == 200)

        // 2. Back up while it runs: with the key (backplan run, then the generated script) and without.
        let withKey = try Self.writePlan(name: "realapp", root: root, dataDir: dataDir, key: keyPath)
        let withoutKey = try Self.writePlan(name: "realapp-nokey", root: root, dataDir: dataDir, key: nil)
        let run = Self.backplan(["run", withKey, "daily"])
        try #require(run.status == 0, "backplan run: \(run.stderr)")
        let script = CleanProcess.run("/bin/bash", [root + "/generated/realapp/daily.sh"])
        try #require(script.status == 0, "daily.sh: \(script.stderr)")
        let runNoKey = Self.backplan(["run", withoutKey, "daily"])
        try #require(runNoKey.status == 0, "backplan run (no key): \(runNoKey.stderr)")
        let ids = Self.snapshots(root: root, plan: "realapp")
        try #require(ids.count == 2, "\(ids)")
        app.stop()

        // 3. Restore with the key into a fresh data dir: the key lands beside it, and restore says where
        // it belongs.
        let restored = root + "/restored"
        let restore = Self.backplan(["restore", withKey, "--target", "local", "--snapshot", ids[0], "--to", restored, "--rewrite-paths"])
        try #require(restore.status == 0, "backplan restore: \(restore.stderr)")
        let restoredKey = restored + ".keys/secret-key"
        #expect(try Data(contentsOf: URL(fileURLWithPath: restoredKey)) == key)
        #expect((try FileManager.default.attributesOfItem(atPath: restoredKey)[.posixPermissions] as? Int) == 0o600)
        #expect((restore.stdout + restore.stderr).contains(restoredKey))
        #expect((restore.stdout + restore.stderr).contains(keyPath))
        // The generated script's snapshot holds the same key (restore.sh's side of the same snapshot is
        // RestoreScript*Tests' business).
        let fromScript = root + "/restored-from-script"
        let restoreScriptSnapshot = Self.backplan(["restore", withKey, "--target", "local", "--snapshot", ids[1], "--to", fromScript])
        try #require(restoreScriptSnapshot.status == 0, "backplan restore of the script's snapshot: \(restoreScriptSnapshot.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: fromScript + ".keys/secret-key")) == key)

        // 4. A fresh install: a new working directory holding the restored key, DATA_DIR the restore.
        let work2 = root + "/work-restored"
        try FileManager.default.createDirectory(atPath: work2, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: restoredKey, toPath: work2 + "/.webui_secret_key")
        app = try OpenWebUIService(venv: venv, dataDir: restored, workingDirectory: work2)
        let secondStart = app.startSeconds
        let me = try app.request("GET", "/api/v1/auths/", token: token)
        #expect(me.status == 200, "the old token after a restore with the key: \(me.status) \(me.body)")
        #expect((me.json as? [String: Any])?["email"] as? String == Self.email)
        #expect(try Self.chatTitles(app, token: token) == [Self.chatTitle])
        let content = try app.request("GET", "/api/v1/files/\(fileID)/content", token: token)
        #expect(content.status == 200 && content.body == Self.uploadText, "\(content.status) \(content.body)")
        let query = try app.request("POST", "/api/v1/retrieval/query/doc", token: token,
                                    json: #"{"collection_name": "file-\#(fileID)", "query": "hello", "k": 1}"#)
        #expect(query.status == 200 && query.body.contains("hello from before the backup"), "vectors: \(query.status) \(query.body)")
        app.stop()

        // 5. Restored without the key capture: nothing beside the data; the server generates a new key
        // in its working directory and rejects the old token. The password still signs in and sees the
        // chat: only the sessions were lost.
        let idsNoKey = Self.snapshots(root: root, plan: "realapp-nokey")
        try #require(idsNoKey.count == 1, "\(idsNoKey)")
        let restoredNoKey = root + "/restored-nokey"
        let restoreNoKey = Self.backplan(["restore", withoutKey, "--target", "local", "--to", restoredNoKey, "--rewrite-paths"])
        try #require(restoreNoKey.status == 0, "backplan restore (no key): \(restoreNoKey.stderr)")
        #expect(!FileManager.default.fileExists(atPath: restoredNoKey + ".keys"))
        app = try OpenWebUIService(venv: venv, dataDir: restoredNoKey, workingDirectory: root + "/work-nokey")
        let thirdStart = app.startSeconds
        #expect(try Data(contentsOf: URL(fileURLWithPath: app.keyFile)) != key)
        let rejected = try app.request("GET", "/api/v1/auths/", token: token)
        #expect(rejected.status == 401, "the old token without the key: \(rejected.status) \(rejected.body)")
        #expect(try app.request("GET", "/api/v1/chats/list", token: token).status == 401)
        let signin = try app.request("POST", "/api/v1/auths/signin",
                                     json: #"{"email": "\#(Self.email)", "password": "\#(Self.password)"}"#)
        try #require(signin.status == 200, "signin: \(signin.status) \(signin.body)")
        let newToken = try #require((signin.json as? [String: Any])?["token"] as? String)
        #expect(newToken != token)
        #expect(try Self.chatTitles(app, token: newToken) == [Self.chatTitle])
        app.stop()

        // The key never shows in backplan's output, its run records or its generated files.
        let keyText = String(decoding: key, as: UTF8.self)
        let outputs = [run, script, runNoKey, restore, restoreScriptSnapshot, restoreNoKey].flatMap { [$0.stdout, $0.stderr] }
        for (index, output) in outputs.enumerated() { #expect(!output.contains(keyText), "output \(index) shows the key") }
        let grep = CleanProcess.run("/bin/grep", ["-rlF", "--", keyText, root + "/state", root + "/generated"])
        #expect(grep.status == 1, "files holding the key: \(grep.stdout)")

        print("real app: app starts \(Int(firstStart)) s, \(Int(secondStart)) s, \(Int(thirdStart)) s; whole test \(Int(Date().timeIntervalSince(began))) s")
    }
}
