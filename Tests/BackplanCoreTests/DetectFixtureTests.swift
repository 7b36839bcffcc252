import Foundation
import Testing
@testable import BackplanCore

/// Detection against fixture trees built in temp dirs from a copy of the real Open WebUI data dir.
@Suite struct DetectFixtureTests {
    static let expectedEntries: [(String, EntryType, EntryKind)] = [
        ("cache", .directory, .files), ("uploads", .directory, .files), ("vector_db", .directory, .chroma),
        ("webui.db", .file, .sqlite), ("webui.db-shm", .file, .sqliteSidecar), ("webui.db-wal", .file, .sqliteSidecar),
    ]

    /// Checks the probe of a copy of the fixture data dir.
    func expectFixtureProbe(_ deployment: Deployment, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(deployment.dataDirExists, sourceLocation: sourceLocation)
        #expect(deployment.entries.map(\.name) == Self.expectedEntries.map(\.0), sourceLocation: sourceLocation)
        #expect(deployment.entries.map(\.type) == Self.expectedEntries.map(\.1), sourceLocation: sourceLocation)
        #expect(deployment.entries.map(\.kind) == Self.expectedEntries.map(\.2), sourceLocation: sourceLocation)
        let db = deployment.entry(named: "webui.db")
        #expect(db?.journalMode == "wal", sourceLocation: sourceLocation)
        #expect(db?.sidecars == ["webui.db-shm", "webui.db-wal"], sourceLocation: sourceLocation)
        #expect(db?.bytes == 729_088, sourceLocation: sourceLocation)
        #expect(deployment.entry(named: "webui.db-wal")?.bytes == 1_470_872, sourceLocation: sourceLocation)
        #expect(deployment.entry(named: "uploads")?.files == 1, sourceLocation: sourceLocation)
        #expect(deployment.entry(named: "cache")?.bytes == 0, sourceLocation: sourceLocation)
        #expect(deployment.entry(named: "vector_db")?.files == 13, sourceLocation: sourceLocation)
        #expect(deployment.app.alembicVersion == "0bd252b206fb", sourceLocation: sourceLocation)
    }

    @Test func bindMountBesideTheComposeFile() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.copyData(to: "My App/data")
        try tree.write("My App/docker-compose.yml", """
            services:
              open-webui:
                image: ghcr.io/open-webui/open-webui:${TAG:-main}
                volumes:
                  - ./data:/app/backend/data
                environment:
                  - WEBUI_SECRET_KEY=
                  - VECTOR_DB=chroma
              ollama:
                image: ollama/ollama
                volumes: [ollama:/root/.ollama]
            volumes:
              ollama:
            """)
        let (found, diagnostics) = Detector.detect(DetectOptions(composeFile: tree.path + "/My App/docker-compose.yml",
                                                                 environment: [:]))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let deployment = try #require(found)
        #expect(deployment.compose == ComposeInfo(file: tree.path + "/My App/docker-compose.yml", project: "myapp",
                                                  service: "open-webui", services: ["ollama", "open-webui"]))
        #expect(deployment.dataDir == tree.path + "/My App/data")
        #expect(deployment.dataDirSource == "bind-mount")
        #expect(deployment.volume == nil)
        #expect(deployment.app.image == "ghcr.io/open-webui/open-webui:main")
        #expect(deployment.environment == AppEnvironment(vectorDB: "chroma", secretKey: .empty))
        expectFixtureProbe(deployment)
        #expect(tree.exists("My App/data/webui.db-wal"), "a read-only probe must leave the WAL in place")
        #expect(tree.exists("My App/data/webui.db-shm"))
    }

    @Test func namedVolumeUnderRootUsesTheDefaultPath() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.copyData(to: "var/lib/docker/volumes/open-webui_open-webui/_data")
        try tree.write("opt/open-webui/docker-compose.yaml", """
            services:
              webui:
                image: ghcr.io/open-webui/open-webui:main
                volumes:
                  - open-webui:/app/backend/data
            volumes:
              open-webui: {}
            """)
        let (found, diagnostics) = Detector.detect(DetectOptions(composeFile: "/opt/open-webui/docker-compose.yaml",
                                                                 root: tree.path, environment: [:]))
        #expect(diagnostics.map(\.code) == [.dockerUnavailable])
        #expect(diagnostics.map(\.severity) == [.note])
        #expect(diagnostics.first?.location == SourceLocation(line: 5, column: 9))
        let deployment = try #require(found)
        #expect(deployment.compose?.file == "/opt/open-webui/docker-compose.yaml")
        #expect(deployment.compose?.project == "open-webui")
        #expect(deployment.volume == VolumeInfo(name: "open-webui_open-webui", external: false))
        #expect(deployment.dataDir == "/var/lib/docker/volumes/open-webui_open-webui/_data")
        #expect(deployment.dataDirSource == "volume-default-path")
        expectFixtureProbe(deployment)
        #expect(tree.exists("var/lib/docker/volumes/open-webui_open-webui/_data/webui.db-wal"))
        let json = try deployment.canonicalJSON()
        #expect(!json.contains(tree.path), "the JSON records host paths, never the --root prefix")
    }

    @Test(arguments: [
        ("volumes:\n  data: {external: true}\n", "data", true),
        ("volumes:\n  data: {name: owui-data}\n", "owui-data", false),
        ("volumes:\n  data:\n    external: true\n    name: shared-owui\n", "shared-owui", true),
        ("name: Prod\nvolumes:\n  data:\n", "prod_data", false),
    ])
    func volumeNames(_ topLevel: String, _ expectedName: String, _ external: Bool) throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.copyData(to: "var/lib/docker/volumes/\(expectedName)/_data")
        try tree.write("srv/stack/compose.yaml", topLevel + """
            services:
              app:
                image: ghcr.io/open-webui/open-webui:main
                volumes: [{type: volume, source: data, target: /app/backend/data}]
            """)
        let (found, diagnostics) = Detector.detect(DetectOptions(composeFile: "srv/stack/compose.yaml",
                                                                 root: tree.path, environment: [:]))
        #expect(diagnostics.map(\.code) == [.dockerUnavailable])
        let deployment = try #require(found)
        #expect(deployment.volume == VolumeInfo(name: expectedName, external: external))
        #expect(deployment.dataDir == "/var/lib/docker/volumes/\(expectedName)/_data")
        expectFixtureProbe(deployment)
    }

    @Test func environmentFromEnvFilesDotEnvAndShell() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.copyData(to: "srv/owui/state")
        try tree.write("srv/owui/.env", "COMPOSE_PROJECT_NAME=FromDotEnv\nSTATE=./state\nVDB=qdrant\n")
        try tree.write("srv/owui/secrets/app.env", """
            # database
            DATABASE_URL="postgresql+psycopg2://owui:hunter2@db:5432/owui"
            WEBUI_SECRET_KEY='k3y'
            STORAGE_PROVIDER=s3
            """)
        try tree.write("srv/owui/compose.yml", """
            services:
              owui:
                image: ghcr.io/open-webui/open-webui:main
                env_file: [secrets/app.env, {path: missing.env, required: false}]
                environment:
                  VECTOR_DB: ${VDB}
                  DATABASE_TYPE:
                volumes:
                  - ${STATE}:/app/backend/data
            """)
        let options = DetectOptions(composeFile: "/srv/owui/compose.yml", root: tree.path,
                                    environment: ["VDB": "milvus", "DATABASE_TYPE": "postgresql"])
        let (found, diagnostics) = Detector.detect(options)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let deployment = try #require(found)
        #expect(deployment.compose?.project == "fromdotenv")
        #expect(deployment.dataDir == "/srv/owui/state")
        #expect(deployment.environment == AppEnvironment(databaseScheme: "postgresql+psycopg2", databaseType: "postgresql",
                                                         vectorDB: "milvus", storageProvider: "s3", secretKey: .set))
        let json = try deployment.canonicalJSON()
        #expect(!json.contains("hunter2") && !json.contains("k3y"), "secrets never reach the JSON")
        #expect(try Detector.detect(options).deployment?.canonicalJSON() == json, "detection is deterministic")
    }

    @Test func dataDirOptionAndHomeBindMount() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.copyData(to: "home/ops/owui")
        try tree.write("compose.yaml", "services:\n  app:\n    image: x/open-webui\n    volumes: ['~/owui:/app/backend/data']\n")
        // No --compose: the compose file is found in the current directory, which is / under a root.
        let (found, diagnostics) = Detector.detect(DetectOptions(root: tree.path, environment: ["HOME": "/home/ops"]))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(found?.compose?.file == "/compose.yaml")
        #expect(found?.dataDir == "/home/ops/owui")
        #expect(found?.dataDirSource == "bind-mount")
        let (overridden, more) = Detector.detect(DetectOptions(composeFile: "/compose.yaml", dataDir: "/home/ops/owui",
                                                               root: tree.path, environment: [:]))
        #expect(more.isEmpty, "\(more)")
        #expect(overridden?.dataDirSource == "option")
        expectFixtureProbe(try #require(overridden))
    }

    @Test func wellKnownDataDirWithoutCompose() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.copyData(to: "opt/open-webui/data")
        let (found, diagnostics) = Detector.detect(DetectOptions(root: tree.path, environment: [:]))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(found?.compose == nil)
        #expect(found?.dataDir == "/opt/open-webui/data")
        #expect(found?.dataDirSource == "well-known-path")
    }
}
