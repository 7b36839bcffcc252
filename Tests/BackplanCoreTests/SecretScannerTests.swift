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

    /// A random token of `count` base62 characters from a fixed seed.
    static func randomToken(_ count: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return String((0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return alphabet[Int((state >> 33) % UInt64(alphabet.count))]
        })
    }

    static let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"

    @Test(arguments: [
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE docker compose stop open-webui",
        "curl -H 'Authorization: Bearer ghp_0123456789abcdefABCDEF0123456789ab' https://ci.example.com/hook",
        "mysqldump -uroot -p\(randomToken(32)) owui",
        ":s3,provider=AWS,access_key_id=AKIAIOSFODNN7EXAMPLE:bucket/owui",
        ":s3,provider=AWS,secret_access_key=notsolong:bucket/owui",
        "PGPASSWORD=hunter2 pg_dump owui",
        "restic --password=hunter2 snapshots",
        randomToken(600),
        "docker exec owui \(randomToken(700))",
        jwt,
        "Bearer \(jwt)",
    ])
    func credentialsInsideValuesAreFound(_ value: String) {
        #expect(SecretScanner.classify(value) != nil, "\(value)")
    }

    @Test(arguments: [
        "docker compose stop open-webui",
        "docker compose -f /opt/open-webui/docker-compose.yaml start open-webui",
        "systemctl stop open-webui.service",
        "sqlite3 /var/lib/owui/webui.db 'PRAGMA wal_checkpoint(TRUNCATE)'",
        "curl -fsS https://hc-ping.com/status/owui-backup",
        "RESTIC_PASSWORD_FILE=/etc/backplan/restic.pass restic snapshots",
        "TOKEN=$(cat /etc/backplan/token) curl https://example.com",
        ":s3,provider=AWS,env_auth=true:bucket/owui",
        ":sftp,host=nas.lan,user=backup,key_file=/root/.ssh/id_ed25519:volume1/owui",
        "rclone sync --bwlimit 10M /srv/backups b2:openwebui-backups",
        "10M",
        "08:00,10M 23:00,off",
        "ssh -p 2222 -oStrictHostKeyChecking=yes backup@nas.lan",
        "docker stop 0bd252b206fb",
        "/var/lib/docker/volumes/open-webui_open-webui/_data",
    ])
    func ordinaryCommandsPass(_ value: String) {
        #expect(SecretScanner.classify(value) == nil, "\(value)")
    }

    @Test func aSecretInsideAQuiesceCommandIsAnError() {
        let source = MarkedSource("""
            version: 1
            name: test
            deployment: {data_dir: /d}
            sources: {db: {path: webui.db, kind: sqlite}}
            targets:
              b2: {type: rclone, remote: 1️⃣":s3,access_key_id=AKIAIOSFODNN7EXAMPLE:b", bwlimit: 2️⃣"\(Self.jwt)"}
            jobs: {a: {schedule: daily, targets: [b2], quiesce: {commands: {stop: 3️⃣"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE x", start: "docker compose start open-webui"}}}}
            """)
        let diagnostics = frontEnd(source).diagnostics
        expectDiagnostics(diagnostics, in: source, [
            "1️⃣": .secretLiteral, "2️⃣": .secretLiteral, "3️⃣": .secretLiteral,
        ], ignoring: [.unknownKey, .wrongType, .missingKey, .invalidValue, .conflictingKeys])
        #expect(diagnostics.filter { $0.code == .secretLiteral }.allSatisfy { $0.severity == .error })
    }
}
