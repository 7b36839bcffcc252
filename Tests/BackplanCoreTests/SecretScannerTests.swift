@testable import BackplanCore
import Testing

@Suite struct SecretScannerTests {
    @Test(arguments: [
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "K001abcdefghijklmnopqrstuvwxyzA",
        "0012a3b4c5d6e7f8091a2b3c4",
        "ghp_0123456789abcdefABCDEF0123456789ab",
        "sk-proj-a8F3kL0pQ9zX2mN7vB4cR6tY1uI5oE",
        "xR7kP2mQ9vL4nZ8wT1yB6cF3hJ5gD0sA",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
    ])
    func credentialShapesAreFound(_ value: String) {
        #expect(SecretScanner.classify(value) != nil, "\(value)")
    }

    @Test(arguments: [
        "/etc/backplan/rclone.conf",
        "s3:https://s3.example.com/bucket/owui",
        "b2:openwebui-backups",
        "*-*-* 03:15",
        "ghcr.io/open-webui/open-webui:main",
        "/var/lib/docker/volumes/open-webui_open-webui/_data",
        "openwebui-backups-2026-very-long-bucket-name",
        "0bd252b206fb",
        "efaf13b5-a79d-4e22-a4dd-03adad6667f1",
        "sftp://backup@nas.lan:2222/volume1/owui",
    ])
    func ordinaryValuesPass(_ value: String) {
        #expect(SecretScanner.classify(value) == nil, "\(value)")
    }

    @Test func urlPasswordsAreFound() {
        #expect(SecretScanner.classify("postgresql://owui:hunter2@db:5432/owui") == .urlCredentials)
        #expect(SecretScanner.classify("s3:https://key:secret@s3.example.com/b") == .urlCredentials)
        #expect(SecretScanner.classify("sftp://user@host/path") == nil)
    }

    @Test(arguments: [("password", true), ("secret_access_key", true), ("api_key", true), ("token", true),
                      ("password_file", false), ("url_env", false), ("env_file", false), ("path", false),
                      ("keep_daily", false), ("author", false)])
    func secretKeyNames(_ key: String, _ secret: Bool) {
        #expect(SecretScanner.isSecretKeyName(key) == secret)
    }

    @Test func aPlanWithSecretsIsRejectedAtEachOne() {
        let source = MarkedSource("""
            version: 1
            name: test
            deployment: {data_dir: /d}
            sources: {db: {path: webui.db, kind: sqlite}}
            targets:
              s3: {type: restic, repository: 1️⃣"s3:https://AKID:verysecret@s3.example.com/b", password_file: /p, 2️⃣password: x}
              b2: {type: rclone, remote: "b2:x", env_file: /e, 3️⃣account_key: 4️⃣K001abcdefghijklmnopqrstuvwxyzA}
            jobs: {a: {schedule: daily, targets: [s3, b2], note: 5️⃣AKIAIOSFODNN7EXAMPLE}}
            """)
        expectDiagnostics(frontEnd(source).diagnostics, in: source, [
            "1️⃣": .credentialsInURL, "2️⃣": .secretKey, "3️⃣": .secretKey, "5️⃣": .secretLiteral,
        ], ignoring: [.unknownKey])
    }
}
