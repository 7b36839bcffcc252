import BackplanCore

/// The deployment that detection reports for the Open WebUI 0.12.4 fixture behind a compose file:
/// a value, so validation tests need no disk.
enum FixtureDeployment {
    static var openWebUI: Deployment {
        Deployment(
            compose: ComposeInfo(file: "/opt/open-webui/docker-compose.yaml", project: "open-webui", service: "open-webui",
                                 services: ["ollama", "open-webui"]),
            dataDir: "/opt/open-webui/data", dataDirSource: "bind-mount", dataDirExists: true,
            entries: [
                DataEntry(name: "cache", type: .directory, kind: .files, bytes: 0, files: 0),
                DataEntry(name: "uploads", type: .directory, kind: .files, bytes: 1_200, files: 1),
                DataEntry(name: "vector_db", type: .directory, kind: .chroma, bytes: 300_000, files: 13),
                DataEntry(name: "webui.db", type: .file, kind: .sqlite, bytes: 729_088, files: 1, journalMode: "wal",
                          sidecars: ["webui.db-shm", "webui.db-wal"]),
                DataEntry(name: "webui.db-shm", type: .file, kind: .sqliteSidecar, bytes: 32_768, files: 1),
                DataEntry(name: "webui.db-wal", type: .file, kind: .sqliteSidecar, bytes: 1_470_872, files: 1),
            ],
            environment: AppEnvironment(secretKey: .set),
            app: AppInfo(image: "ghcr.io/open-webui/open-webui:0.12.4", alembicVersion: "0bd252b206fb"))
    }
}

/// Front end and validation of marked plan text against a deployment (nil: none).
func validate(_ source: MarkedSource, against deployment: Deployment? = FixtureDeployment.openWebUI,
              file: String = "plans/test.yaml") -> [Diagnostic] {
    let (plan, diagnostics) = frontEnd(source, file: file)
    guard let plan, !diagnostics.hasErrors else { return diagnostics }
    return diagnostics + PlanValidator.validate(plan, deployment: deployment, file: file)
}
