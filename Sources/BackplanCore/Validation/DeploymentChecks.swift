/// Checks of a plan against the deployment it protects.
extension PlanValidator {
    mutating func checkAgainst(_ deployment: Deployment) {
        let origin = deploymentOrigin.map { " (\($0))" } ?? ""
        if let planDir = plan.deployment.dataDir, let found = deployment.dataDir, planDir.value != found {
            report(.dataDirMismatch, "data_dir is '\(planDir.value)' but the deployment\(origin) keeps its data at '\(found)'",
                   at: planDir, help: "write 'data_dir: \(found)', or remove data_dir and let compose tell it")
        }
        checkCompose(deployment, origin: origin)
        checkContainers(deployment, origin: origin)
        if !deployment.dataDirExists {
            let at = plan.deployment.dataDir?.start ?? plan.deployment.start
            report(.dataDirMissing, "the data dir '\(dataDir ?? "?")' does not exist in the deployment\(origin)",
                   at: at, help: "check the path, or run the app once so that it creates its data dir, then detect again")
            checkEnvironment(deployment.environment)
            checkKeys(deployment)
            return
        }
        checkSources(deployment, origin: origin)
        checkIgnoredEntries(deployment, origin: origin)
        checkCoverage(deployment)
        checkQuiesce(deployment, origin: origin)
        checkEnvironment(deployment.environment)
        checkKeys(deployment)
    }

    /// A generated key the plan does not capture (BP309); a key in a file git tracks is leaked (BP324); the
    /// file that sets the key is not captured (BP326); OAuth without its own key depends on the secret key (BP325).
    private mutating func checkKeys(_ deployment: Deployment) {
        let at = plan.deployment.start
        let keySources = capturedSources.filter { $0.kind.value == .key }
        if deployment.environment.secretKey != .set {
            let state = deployment.environment.secretKey == .empty ? "empty" : "not set"
            if let container = deployment.container {
                let name = plan.deployment.container?.name.value ?? container.name
                let captured = keySources.contains { $0.container?.value == name && $0.path.value == KeyDetection.containerKeyFile }
                if !captured {
                    report(.secretKeyNotPersisted,
                           "WEBUI_SECRET_KEY is \(state): Open WebUI generates its key into \(KeyDetection.containerKeyFile) inside container '\(name)', which this plan does not capture: a restore onto a new container logs everyone out and cannot read stored OAuth tokens",
                           at: at, help: "capture the generated key: {kind: key, container: \(name), path: \(KeyDetection.containerKeyFile)}, or start the container with --env-file FILE setting WEBUI_SECRET_KEY and capture that file ({path: FILE, kind: key})")
                }
            } else if let compose = deployment.compose {
                let service = plan.deployment.compose?.service.value ?? compose.service
                let captured = keySources.contains { $0.service?.value == service && $0.path.value == KeyDetection.containerKeyFile }
                if !captured {
                    report(.secretKeyNotPersisted,
                           "WEBUI_SECRET_KEY is \(state): Open WebUI generates its key into \(KeyDetection.containerKeyFile) inside the container layer, which this plan does not capture: a restore onto a new container logs everyone out and cannot read stored OAuth tokens",
                           at: at, help: "set WEBUI_SECRET_KEY in an env_file kept outside git and capture that file ({path: FILE, kind: key}), or capture the generated one: {kind: key, service: \(service), path: \(KeyDetection.containerKeyFile)}")
                }
            } else {
                // A pip install: the key file is in the folder `open-webui serve` starts from (the unit's, when detected).
                // Without a unit nothing tells where the key is: any key file the plan captures is trusted.
                let file = deployment.keys?.first { $0.source == .generatedInWorkingDirectory }?.file
                let captured = keySources.contains { source in
                    !source.isInContainer && (file.map { source.path.value == $0 } ?? (deployment.keys == nil || source.path.value.hasSuffix("/.webui_secret_key")))
                }
                if !captured {
                    let where_ = file ?? "the folder it is started from (.webui_secret_key)"
                    report(.secretKeyNotPersisted,
                           "WEBUI_SECRET_KEY is \(state): Open WebUI then keeps a generated key in \(where_), which this plan does not capture: a restore onto a new install logs everyone out and cannot read stored OAuth tokens",
                           severity: .warning, at: at,
                           help: "capture that file ({path: \(file ?? "/WORKING/DIR/.webui_secret_key"), kind: key}), or set WEBUI_SECRET_KEY in an env file and capture it")
                }
            }
        }
        for key in deployment.keys ?? [] where key.isInHostFile {
            if key.committed == true {
                report(.keyInCommittedFile,
                       "\(key.name) is written in \(key.file ?? "a file"), which git tracks: everyone with that repository has the key",
                       at: at, help: "move it to an env file that git ignores ('git rm --cached', .gitignore), rotate the key, then detect again")
            } else if key.name == KeyDetection.secretKey, let file = key.file,
                      !keySources.contains(where: { !$0.isInContainer && $0.path.value == file }) {
                report(.keyFileNotCaptured,
                       "\(key.name) is set in \(file), which no job captures: a restore onto a new server logs everyone out",
                       at: plan.sourcesKey, width: 7, help: "add a source {path: \(file), kind: key} to a job")
            }
        }
        if let container = deployment.container, deployment.environment.secretKey == .set,
           !keySources.contains(where: { !$0.isInContainer }) {
            report(.keyOnlyInContainer,
                   "WEBUI_SECRET_KEY is set in the environment of container '\(container.name)' (docker run -e or --env-file): it lives in the container's configuration, which 'docker rm' loses, and no job captures a file holding it",
                   at: plan.sourcesKey, width: 7,
                   help: "keep the key in an env file outside git, start the container with --env-file FILE, and add a source {path: FILE, kind: key} to a job")
        }
        if deployment.environment.oauthConfigured == true,
           deployment.keys?.first(where: { $0.name == "OAUTH_SESSION_TOKEN_ENCRYPTION_KEY" })?.source == .secretKeyFallback {
            report(.oauthKeyFallsBack,
                   "OAuth is configured but OAUTH_SESSION_TOKEN_ENCRYPTION_KEY is not set: stored OAuth sessions and tool tokens are encrypted with WEBUI_SECRET_KEY and become unreadable when it changes",
                   at: at, help: "set OAUTH_SESSION_TOKEN_ENCRYPTION_KEY in the env file that holds WEBUI_SECRET_KEY, and back that file up")
        }
        for source in keySources {
            guard let service = source.service, let compose = deployment.compose, !compose.services.contains(service.value) else { continue }
            var message = "key source '\(source.name.value)' is read from '\(service.value)', which is not a service of \(compose.file)"
            if let guess = Suggestion.closest(to: service.value, among: compose.services) { message += "; did you mean '\(guess)'?" }
            report(.unknownService, message, at: service, help: "the services are: \(compose.services.joined(separator: ", "))")
        }
    }

    /// The containers the plan names (its app container, the containers a job stops, the containers key
    /// sources are read from) against those the engine listed when the deployment was detected (BP327).
    private mutating func checkContainers(_ deployment: Deployment, origin: String) {
        var named: [(name: Located<String>, role: String)] = []
        if let container = plan.deployment.container { named.append((container.name, "deployment.container")) }
        for job in plan.jobs {
            guard case .containers(let names, _) = job.quiesce else { continue }
            named += names.map { ($0, "the quiesce of job '\(job.name.value)'") }
        }
        for source in plan.sources {
            if let container = source.container { named.append((container, "key source '\(source.name.value)'")) }
        }
        guard !named.isEmpty else { return }
        guard let found = deployment.container else {
            let first = named[0]
            report(.unknownContainer,
                   "\(first.role) names container '\(first.name.value)', but the deployment\(origin) was detected without the container engine",
                   severity: .warning, at: first.name,
                   help: "on the server, detect again with --container \(first.name.value) and save the JSON")
            return
        }
        if let container = plan.deployment.container, container.name.value != found.name {
            report(.unknownContainer,
                   "deployment.container is '\(container.name.value)' but the deployment\(origin) found the app in '\(found.name)'",
                   severity: .warning, at: container.name,
                   help: "write 'container: \(found.name)', or detect again with --container \(container.name.value)")
        }
        for (name, role) in named where !found.containers.contains(name.value) {
            var message = "\(role) names container '\(name.value)', which the container engine did not list"
            if let guess = Suggestion.closest(to: name.value, among: found.containers) { message += "; did you mean '\(guess)'?" }
            report(.unknownContainer, message, at: name,
                   help: "the containers are: \(found.containers.prefix(20).joined(separator: ", "))\(found.containers.count > 20 ? ", …" : "")")
        }
    }

    private mutating func checkCompose(_ deployment: Deployment, origin: String) {
        guard let compose = plan.deployment.compose else { return }
        guard let found = deployment.compose else {
            report(.composeMismatch, "the plan names a compose file but the deployment\(origin) was detected without one",
                   severity: .warning, at: compose.file, help: "detect again with --compose \(compose.file.value)")
            return
        }
        if compose.file.value != found.file {
            report(.composeMismatch, "compose file is '\(compose.file.value)' but the deployment\(origin) uses '\(found.file)'",
                   at: compose.file, help: "write 'file: \(found.file)'")
        }
        if !found.services.contains(compose.service.value) {
            var message = "compose service '\(compose.service.value)' is not in \(found.file)"
            if let guess = Suggestion.closest(to: compose.service.value, among: found.services) { message += "; did you mean '\(guess)'?" }
            report(.composeMismatch, message, at: compose.service,
                   help: "the services are: \(found.services.joined(separator: ", "))")
        }
    }

    private mutating func checkSources(_ deployment: Deployment, origin: String) {
        for source in plan.sources where !source.path.value.hasPrefix("/") {
            let top = String(source.path.value.split(separator: "/").first ?? "")
            guard let entry = deployment.entry(named: top) else {
                var message = "source '\(source.name.value)': '\(source.path.value)' is not in the data dir\(origin)"
                let names = deployment.entries.map(\.name)
                if let guess = Suggestion.closest(to: top, among: names) { message += "; did you mean '\(guess)'?" }
                report(.sourceMissing, message, at: source.path,
                       help: "the data dir holds: \(names.joined(separator: ", "))")
                continue
            }
            guard top == source.path.value else { continue } // deeper paths: only the top entry is known
            switch (source.kind.value, entry.kind) {
            case (.sqlite, .sqlite), (.chroma, .chroma), (.files, .files), (.key, _):
                break // a key source's path is absolute: never here
            case (.files, .sqlite):
                report(.kindMismatch, "'\(entry.name)' is a SQLite database; copied as plain files it can be torn mid-write",
                       severity: .warning, at: source.kind, help: "write 'kind: sqlite' to capture it with the online backup API")
            case (.files, .chroma):
                report(.kindMismatch, "'\(entry.name)' is a ChromaDB folder; copied as plain files its database can be torn mid-write",
                       severity: .warning, at: source.kind, help: "write 'kind: chroma'")
            case (.sqlite, _):
                report(.kindMismatch, "source '\(source.name.value)' is kind sqlite but '\(entry.name)' is \(entry.type == .directory ? "a folder" : "not a SQLite database")",
                       at: source.kind, help: entry.kind == .chroma ? "write 'kind: chroma'" : "write 'kind: files'")
            case (.chroma, _):
                report(.kindMismatch, "source '\(source.name.value)' is kind chroma but '\(entry.name)' holds no chroma.sqlite3",
                       at: source.kind, help: entry.kind == .sqlite ? "write 'kind: sqlite'" : "write 'kind: files'")
            case (.files, .sqliteSidecar):
                report(.kindMismatch, "'\(entry.name)' is a SQLite sidecar file; it is captured with its database",
                       at: source.path, help: "back up the database with 'kind: sqlite' instead")
            }
        }
    }

    /// Every top-level entry of the data dir must be captured by some job or ignored on purpose.
    private mutating func checkCoverage(_ deployment: Deployment) {
        let captured = capturedSources.filter { !$0.path.value.hasPrefix("/") }
        let tops = Set(captured.map { String($0.path.value.split(separator: "/").first ?? "") })
        let fullTops = Set(captured.filter { !$0.path.value.contains("/") }.map(\.path.value))
        let ignored = Set(plan.ignore.map(\.value))
        let sqliteBases = Set(captured.filter { $0.kind.value == .sqlite }.map(\.path.value))
        for entry in deployment.entries {
            if ignored.contains(entry.name) || fullTops.contains(entry.name) { continue }
            if entry.kind == .sqliteSidecar {
                let base = ["-wal", "-shm", "-journal"].reduce(entry.name) { name, suffix in
                    name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : name
                }
                if sqliteBases.contains(base) || ignored.contains(base) { continue }
            }
            let partly = tops.contains(entry.name)
            let suggestion: String = switch entry.kind {
            case .sqlite: "{path: \(entry.name), kind: sqlite}"
            case .chroma: "{path: \(entry.name), kind: chroma}"
            default: "{path: \(entry.name), kind: files}"
            }
            report(.uncoveredEntry,
                   partly ? "only part of '\(entry.name)' in the data dir is backed up"
                       : "'\(entry.name)' in the data dir (\(entry.kind.rawValue), \(entry.files) files, \(entry.bytes) bytes) is in no job and not ignored",
                   at: plan.sourcesKey, width: 7,
                   help: "add a source \(suggestion) to a job, or add '\(entry.name)' to 'ignore' if it can be re-created")
        }
    }

    private mutating func checkQuiesce(_ deployment: Deployment, origin: String) {
        let chromaSources = Set(plan.sources.filter { $0.kind.value == .chroma }.map(\.name.value))
        for job in plan.jobs {
            if job.quiesce.isHot, let chroma = job.sources.first(where: { chromaSources.contains($0.value) }) {
                report(.hotChromaCapture,
                       "job '\(job.name.value)' captures ChromaDB source '\(chroma.value)' while the app runs: its segment files are consistent only while it is stopped",
                       at: chroma, help: "quiesce this job ({stop: [open-webui]}), or capture vectors in a cold job and keep this one for the database and uploads")
            }
            guard case .compose(let services, _) = job.quiesce, let compose = deployment.compose else { continue }
            for service in services where !compose.services.contains(service.value) {
                var message = "quiesce of job '\(job.name.value)' stops '\(service.value)', which is not a service of \(compose.file)"
                if let guess = Suggestion.closest(to: service.value, among: compose.services) { message += "; did you mean '\(guess)'?" }
                report(.unknownService, message, at: service, help: "the services are: \(compose.services.joined(separator: ", "))")
            }
        }
    }

    private mutating func checkEnvironment(_ environment: AppEnvironment) {
        let at = plan.deployment.start
        if let scheme = environment.databaseScheme, !scheme.hasPrefix("sqlite") {
            report(.externalDatabase,
                   "DATABASE_URL points at \(scheme): users, chats and settings live in that database, not in webui.db, and this plan does not back them up",
                   at: at, help: "back the database up with its own tool (pg_dump) into a folder this plan captures, or accept the gap knowingly")
        }
        if let vector = environment.vectorDB, vector.lowercased() != "chroma" {
            report(.externalVectorDB, "VECTOR_DB is '\(vector)': the vectors live outside the data dir and this plan does not back them up",
                   at: at, help: "back up \(vector) with its own snapshot tool, or re-index documents after a restore")
        }
        if let storage = environment.storageProvider, storage.lowercased() != "local" {
            report(.externalStorage, "STORAGE_PROVIDER is '\(storage)': uploaded files live in object storage, not in uploads/",
                   at: at, help: "protect the bucket with versioning or replication; this plan copies only the data dir")
        }
    }
}
