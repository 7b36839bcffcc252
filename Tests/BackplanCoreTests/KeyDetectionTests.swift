import Foundation
import TestSupport
import Testing
@testable import BackplanCore

/// Issue 12, part 1 (detection): where Open WebUI's keys come from, whether git tracks the file that
/// holds one, and whether OAuth is configured; never a value. Uses the real git.
@Suite struct KeyDetectionTests {
    static func git(_ arguments: [String], in folder: String) throws {
        let result = CleanProcess.run("/usr/bin/git", ["-C", folder, "-c", "user.name=t", "-c", "user.email=t@example.com"] + arguments,
                                      environment: ["PATH": "/usr/bin:/bin", "HOME": folder])
        #expect(result.status == 0, "git \(arguments): \(result.stderr)")
    }

    /// A compose project in a fresh folder with the fixture's data dir; `files` written beside it.
    static func detect(_ compose: String, files: [String: String] = [:], environment: [String: String] = [:],
                       gitAdd: [String]? = nil) throws -> (Deployment, FixtureTree) {
        let tree = try FixtureTree()
        try tree.copyData(to: "owui/data")
        try tree.write("owui/docker-compose.yml", compose)
        for (name, text) in files { try tree.write("owui/" + name, text) }
        if let gitAdd {
            try git(["init", "-q"], in: tree.path + "/owui")
            try git(["add", "--"] + gitAdd, in: tree.path + "/owui")
            try git(["commit", "-q", "-m", "deployment"], in: tree.path + "/owui")
        }
        let (found, diagnostics) = Detector.detect(DetectOptions(composeFile: tree.path + "/owui/docker-compose.yml",
                                                                 environment: ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }))
        #expect(!diagnostics.contains { $0.severity == .error }, "\(diagnostics)")
        return (try #require(found), tree)
    }

    static func service(_ environment: String, extra: String = "") -> String {
        """
        services:
          open-webui:
            image: ghcr.io/open-webui/open-webui:main
            volumes: [./data:/app/backend/data]
        \(extra)    environment:
        \(environment)
        """
    }

    @Test func aKeyWrittenInACommittedComposeFileIsFoundAndFlagged() throws {
        let (deployment, tree) = try Self.detect(Self.service("      - WEBUI_SECRET_KEY=s3cr3t-in-git"), gitAdd: ["docker-compose.yml"])
        defer { tree.remove() }
        let key = try #require(deployment.keys?.first)
        #expect(key == KeyInfo(name: "WEBUI_SECRET_KEY", source: .composeInline, file: tree.path + "/owui/docker-compose.yml", committed: true))
        let json = try deployment.canonicalJSON()
        #expect(!json.contains("s3cr3t-in-git"), "a key's value is never recorded")
        let plan = PlanFrontEnd.process(Array(RuleExample.basePlan.utf8), file: "p.yaml").plan
        let result = PlanValidator.validate(try #require(plan), deployment: deployment, file: "p.yaml")
        #expect(result.contains { $0.code == .keyInCommittedFile && $0.severity == .error })
    }

    @Test func keysFromDotEnvEnvFilesAndTheShellAreToldApart() throws {
        let compose = Self.service("""
                  WEBUI_SECRET_KEY: ${WEBUI_SECRET_KEY}
                  OAUTH_CLIENT_INFO_ENCRYPTION_KEY: ${CLIENT_KEY:-}
            """, extra: "    env_file: [secrets.env]\n")
        let (deployment, tree) = try Self.detect(compose, files: [".env": "WEBUI_SECRET_KEY=from-dotenv\n", "secrets.env": "OAUTH_SESSION_TOKEN_ENCRYPTION_KEY=from-env-file\n",
                                                                  ".gitignore": ".env\nsecrets.env\n"],
                                                 environment: ["CLIENT_KEY": "from-shell"], gitAdd: ["docker-compose.yml", ".gitignore"])
        defer { tree.remove() }
        let keys = try #require(deployment.keys)
        #expect(keys == [
            KeyInfo(name: "WEBUI_SECRET_KEY", source: .composeDotEnv, file: tree.path + "/owui/.env", committed: false),
            KeyInfo(name: "OAUTH_SESSION_TOKEN_ENCRYPTION_KEY", source: .envFile, file: tree.path + "/owui/secrets.env", committed: false),
            KeyInfo(name: "OAUTH_CLIENT_INFO_ENCRYPTION_KEY", source: .shellEnvironment),
        ])
        #expect(deployment.environment.secretKey == .set)
    }

    @Test func anUnsetKeyIsGeneratedInTheContainerAndOAuthWithoutItsKeyIsAWarning() throws {
        let (deployment, tree) = try Self.detect(Self.service("      - OAUTH_CLIENT_ID=owui\n      - WEBUI_SECRET_KEY="))
        defer { tree.remove() }
        #expect(deployment.keys == [
            KeyInfo(name: "WEBUI_SECRET_KEY", source: .generatedInContainer, file: "/app/backend/.webui_secret_key"),
            KeyInfo(name: "OAUTH_SESSION_TOKEN_ENCRYPTION_KEY", source: .secretKeyFallback),
            KeyInfo(name: "OAUTH_CLIENT_INFO_ENCRYPTION_KEY", source: .secretKeyFallback),
        ])
        #expect(deployment.environment.oauthConfigured == true)
        let plan = try #require(PlanFrontEnd.process(Array(RuleExample.basePlan.utf8), file: "p.yaml").plan)
        let codes = PlanValidator.validate(plan, deployment: deployment, file: "p.yaml").map(\.code)
        #expect(codes.contains(.oauthKeyFallsBack) && codes.contains(.secretKeyNotPersisted))
        #expect(!codes.contains(.keyInCommittedFile))
    }

    /// `init` captures the key where detection found it: the generated one from the container, or the
    /// files on the host that set the keys (once each); the starter plan then checks without BP309/BP326.
    @Test func theStarterPlanCapturesTheKeysWhereDetectionFoundThem() throws {
        let generated = try Self.detect(Self.service("      - WEBUI_SECRET_KEY="))
        defer { generated.1.remove() }
        let inFiles = try Self.detect(Self.service("      - WEBUI_SECRET_KEY=${WEBUI_SECRET_KEY}", extra: "    env_file: [secrets.env]\n"),
                                      files: [".env": "WEBUI_SECRET_KEY=from-dotenv\n", "secrets.env": "OAUTH_SESSION_TOKEN_ENCRYPTION_KEY=k\n"])
        defer { inFiles.1.remove() }
        for (deployment, expected) in [
            (generated.0, ["  secret-key: {kind: key, service: open-webui, path: /app/backend/.webui_secret_key}\n"]),
            (inFiles.0, ["  secret-key: {path: \(inFiles.1.path)/owui/.env, kind: key}\n",
                         "  secret-key-2: {path: \(inFiles.1.path)/owui/secrets.env, kind: key}\n"]),
        ] {
            let text = StarterPlan.render(deployment, name: "openwebui")
            for line in expected { #expect(text.contains(line), "\(text)") }
            let plan = try #require(PlanFrontEnd.process(Array(text.utf8), file: "plans/openwebui.yaml").plan)
            let codes = PlanValidator.validate(plan, deployment: deployment, file: "plans/openwebui.yaml").map(\.code)
            #expect(!codes.contains(.secretKeyNotPersisted) && !codes.contains(.keyFileNotCaptured), "\(codes)")
        }
        // Without the key source the same deployments fail (generated) or warn (in a file).
        let bare = try #require(PlanFrontEnd.process(Array(RuleExample.basePlan.utf8), file: "p.yaml").plan)
        #expect(PlanValidator.validate(bare, deployment: generated.0, file: "p.yaml").contains { $0.code == .secretKeyNotPersisted && $0.severity == .error })
        #expect(PlanValidator.validate(bare, deployment: inFiles.0, file: "p.yaml").contains { $0.code == .keyFileNotCaptured && $0.severity == .warning })
    }

    /// A pip install run by systemd (no compose file): the unit that runs `open-webui serve` says where
    /// the key comes from: its `Environment=`, an `EnvironmentFile=`, or the key file generated in its
    /// `WorkingDirectory=`; `init` captures that file and the plan then checks clean of BP309/BP326.
    @Test(arguments: ["generated", "environment", "file"])
    func aPipInstallsKeyIsFoundThroughItsSystemdUnit(_ variant: String) throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.copyData(to: "srv/owui/data")
        let env = variant == "environment" ? "Environment=\"DATA_DIR=/srv/owui/data\" WEBUI_SECRET_KEY=abc OAUTH_CLIENT_ID=x\n"
            : "Environment=DATA_DIR=/srv/owui/data\n"
        let file = variant == "file" ? "EnvironmentFile=-/etc/open-webui/secrets.env\n" : ""
        try tree.write("etc/open-webui/secrets.env", "WEBUI_SECRET_KEY=from-file\n")
        try tree.write("etc/systemd/system/aaa-other.service", "[Service]\nExecStart=/usr/bin/sleep infinity\n")
        try tree.write("etc/systemd/system/open-webui.service", """
            [Unit]
            Description=Open WebUI
            [Service]
            WorkingDirectory=/srv/owui
            \(env)\(file)ExecStart=/srv/owui/venv/bin/open-webui serve --host 127.0.0.1 --port 8080
            [Install]
            WantedBy=multi-user.target

            """)
        let (found, diagnostics) = Detector.detect(DetectOptions(dataDir: "/srv/owui/data", root: tree.path, environment: ["PATH": "/usr/bin:/bin"]))
        #expect(!diagnostics.contains { $0.severity == .error }, "\(diagnostics)")
        let deployment = try #require(found)
        let secret = try #require(deployment.keys?.first)
        switch variant {
        case "generated":
            #expect(secret == KeyInfo(name: "WEBUI_SECRET_KEY", source: .generatedInWorkingDirectory, file: "/srv/owui/.webui_secret_key"))
            #expect(deployment.environment.secretKey == .unset)
        case "environment":
            #expect(secret.source == .unitEnvironment && secret.file == "/etc/systemd/system/open-webui.service")
            #expect(deployment.environment.secretKey == .set && deployment.environment.oauthConfigured == true)
        default:
            #expect(secret.source == .envFile && secret.file == "/etc/open-webui/secrets.env")
        }
        let text = StarterPlan.render(deployment, name: "openwebui")
        #expect(text.contains("  secret-key: {path: \(secret.file ?? "?"), kind: key}\n"), "\(text)")
        let plan = try #require(PlanFrontEnd.process(Array(text.utf8), file: "plans/openwebui.yaml").plan)
        let codes = PlanValidator.validate(plan, deployment: deployment, file: "plans/openwebui.yaml").map(\.code)
        #expect(!codes.contains(.secretKeyNotPersisted) && !codes.contains(.keyFileNotCaptured), "\(codes)")
        let bare = try #require(PlanFrontEnd.process(Array(text.replacingOccurrences(of: "  secret-key: {path: \(secret.file ?? "?"), kind: key}\n", with: "").utf8),
                                                     file: "plans/openwebui.yaml").plan)
        let warned = PlanValidator.validate(bare, deployment: deployment, file: "plans/openwebui.yaml")
        let expected: DiagnosticCode = variant == "generated" ? .secretKeyNotPersisted : .keyFileNotCaptured
        #expect(warned.contains { $0.code == expected && $0.severity == .warning && $0.message.contains(secret.file ?? "?") }, "\(warned.map(\.message))")
    }

    /// The deployment's work tree is input: its git configuration must not make detection run a command.
    @Test func gitInAHostileRepositoryRunsNothing() throws {
        let (_, tree) = try Self.detect(Self.service("      - WEBUI_SECRET_KEY=x"), gitAdd: ["docker-compose.yml"])
        defer { tree.remove() }
        let marker = tree.path + "/ran"
        try Self.git(["config", "core.fsmonitor", "touch \(marker)"], in: tree.path + "/owui")
        let (found, _) = Detector.detect(DetectOptions(composeFile: tree.path + "/owui/docker-compose.yml", environment: ["PATH": "/usr/bin:/bin"]))
        #expect(found?.keys?.first?.committed == true)
        #expect(!FileManager.default.fileExists(atPath: marker), "core.fsmonitor ran")
    }

    @Test func aSavedDeploymentsKeysAreCheckedOnLoad() {
        var deployment = Deployment()
        deployment.keys = [KeyInfo(name: "WEBUI_SECRET_KEY\n", source: .envFile, file: "relative/.env")]
        #expect(Set(deployment.problems().map(\.field)) == ["keys.name", "keys.file"])
        deployment.keys = [KeyInfo(name: "WEBUI_SECRET_KEY", source: .envFile, file: "/opt/owui/../etc/.env")]
        #expect(deployment.problems().map(\.field) == ["keys.file"])
    }
}
