import BackplanCore
import Testing

@Suite struct PlanValidatorTests {
    /// A plan that passes against the fixture deployment with nothing to say.
    static let clean = RuleExample.basePlan

    @Test func aGoodPlanIsClean() {
        let diagnostics = validate(MarkedSource(Self.clean))
        #expect(diagnostics.isEmpty, "\(describe(diagnostics))")
    }

    @Test func withoutADeploymentANoteSaysSo() {
        let diagnostics = validate(MarkedSource(Self.clean), against: nil)
        #expect(diagnostics.map(\.code) == [.noDeployment])
        #expect(diagnostics.first?.severity == .note)
    }

    @Test func coverageKindsAndMissingSources() {
        let source = MarkedSource("""
            version: 1
            name: openwebui
            deployment:
              compose: {file: /opt/open-webui/docker-compose.yaml, service: open-webui}
            1️⃣sources:
              database: {path: webui.db, kind: 2️⃣files}
              vectors: {path: vector_db, kind: 3️⃣sqlite}
              docs: {path: 4️⃣upload, kind: files}
            ignore: [5️⃣logs]
            targets:
              local: {type: local, path: /srv/backups/openwebui}
              b2: {type: rclone, remote: "b2:owui"}
            jobs:
              nightly:
                schedule: "*-*-* 03:15"
                quiesce: {stop: [open-webui]}
                targets: [local, b2]
                retention: {keep_daily: 7}
            """)
        let diagnostics = validate(source)
        expectDiagnostics(diagnostics, in: source, [
            "2️⃣": .kindMismatch, "3️⃣": .kindMismatch, "4️⃣": .sourceMissing,
            "5️⃣": .ignoredEntryMissing,
        ], ignoring: [.uncoveredEntry])
        // Every uncovered entry is reported at 'sources:': cache, uploads (its source path is misspelt) and
        // the WAL sidecars, since a database copied as plain files does not cover them.
        let uncovered = diagnostics.filter { $0.code == .uncoveredEntry }
        #expect(Set(uncovered.map(\.location)) == [source.locations["1️⃣"]])
        #expect(uncovered.map { $0.message.split(separator: " ")[0] }.sorted() == ["'cache'", "'uploads'", "'webui.db-shm'", "'webui.db-wal'"])
        #expect(diagnostics.first { $0.code == .sourceMissing }?.message.contains("did you mean 'uploads'?") == true)
    }

    @Test func hotChromaUnknownServiceAndRetention() {
        let source = MarkedSource("""
            version: 1
            name: openwebui
            deployment:
              compose: {file: /opt/open-webui/docker-compose.yaml, service: open-webui}
            sources:
              database: {path: webui.db, kind: sqlite}
              vectors: {path: vector_db, kind: chroma}
              uploads: {path: uploads, kind: files}
            ignore: [cache]
            targets:
              local: {type: local, path: /srv/backups/openwebui}
              b2: {type: rclone, remote: "b2:owui"}
            jobs:
              1️⃣hot:
                schedule: "*-*-* 03:15"
                sources: [database, 2️⃣vectors]
                targets: [local, b2]
              cold:
                schedule: "Sun 04:00"
                quiesce: {stop: [3️⃣openwebui]}
                targets: [local, b2]
                retention: 4️⃣{keep_last: 1}
            """)
        let diagnostics = validate(source)
        expectDiagnostics(diagnostics, in: source, [
            "1️⃣": .noRetention, "2️⃣": .hotChromaCapture, "3️⃣": .unknownService, "4️⃣": .retentionTooShort,
        ])
        #expect(diagnostics.first { $0.code == .unknownService }?.message.contains("did you mean 'open-webui'?") == true)
    }

    @Test func copiesAndTargetPlacement() {
        let source = MarkedSource("""
            version: 1
            name: openwebui
            deployment:
              data_dir: /opt/open-webui/data
              state_dir: 1️⃣/opt/open-webui/data/.backplan
            sources:
              2️⃣database: {path: webui.db, kind: sqlite}
              vectors: {path: vector_db, kind: chroma}
              uploads: {path: uploads, kind: files}
            ignore: [cache]
            targets:
              5️⃣inside: {type: local, path: 6️⃣/opt/open-webui/data/backups}
              other-disk: {type: local, path: /mnt/usb/owui}
            jobs:
              nightly:
                schedule: daily
                quiesce: {units: [open-webui.service]}
                targets: [inside, other-disk]
                retention: {keep_daily: 7}
            """)
        var deployment = FixtureDeployment.openWebUI
        deployment.compose = nil
        expectDiagnostics(validate(source, against: deployment), in: source, [
            "1️⃣": .targetInsideDataDir, "2️⃣": .tooFewCopies,
            "5️⃣": .noOffsiteCopy, "6️⃣": .targetInsideDataDir,
        ])
    }

    @Test func environmentThatMovesDataOut() {
        var deployment = FixtureDeployment.openWebUI
        deployment.environment = AppEnvironment(databaseScheme: "postgresql", vectorDB: "qdrant", storageProvider: "s3",
                                                secretKey: .empty)
        let source = MarkedSource(Self.clean.replacingOccurrences(of: "deployment:\n", with: "1️⃣deployment:\n"))
        let diagnostics = validate(source, against: deployment)
        expectDiagnostics(diagnostics, in: source, [
            "1️⃣": .externalDatabase,
        ], ignoring: [.externalVectorDB, .externalStorage, .secretKeyNotPersisted])
        #expect(Set(diagnostics.map(\.code)) == [.externalDatabase, .externalVectorDB, .externalStorage, .secretKeyNotPersisted])
        #expect(diagnostics.first { $0.code == .secretKeyNotPersisted }?.message.contains("logs everyone out") == true)
    }

    @Test func deploymentMismatches() {
        let source = MarkedSource("""
            version: 1
            name: openwebui
            deployment:
              compose: {file: 1️⃣/srv/compose.yaml, service: 2️⃣webui}
              data_dir: 3️⃣/srv/data
            sources: {all: {path: webui.db, kind: sqlite}}
            targets: {local: {type: local, path: /b}, b2: {type: rclone, remote: "b2:x"}}
            jobs: {a: {schedule: daily, targets: [local, b2], retention: {keep_daily: 3}}}
            """)
        expectDiagnostics(validate(source), in: source, [
            "1️⃣": .composeMismatch, "2️⃣": .composeMismatch, "3️⃣": .dataDirMismatch,
        ], ignoring: [.uncoveredEntry])
    }

    @Test func overlappingAndUnusedSources() {
        let source = MarkedSource("""
            version: 1
            name: openwebui
            deployment: {data_dir: /opt/open-webui/data}
            sources:
              uploads: {path: uploads, kind: files}
              some: {path: 1️⃣uploads/x, kind: files}
              3️⃣spare: {path: cache, kind: files}
              db: {path: webui.db, kind: sqlite}
              logs: {path: logs/app, kind: files}
            ignore: [2️⃣logs]
            targets: {local: {type: local, path: /b}, b2: {type: rclone, remote: "b2:x"}}
            jobs: {a: {schedule: daily, sources: [uploads, some, db, logs], targets: [local, b2], retention: {keep_daily: 3}}}
            """)
        expectDiagnostics(validate(source, against: nil), in: source, [
            "1️⃣": .overlappingSources, "2️⃣": .overlappingSources, "3️⃣": .unusedSource,
        ], ignoring: [.noDeployment])
    }
}
