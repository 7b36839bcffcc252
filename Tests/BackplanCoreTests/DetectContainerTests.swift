import Foundation
import TestSupport
import Testing
@testable import BackplanCore

/// Issue 13: a `docker run` deployment detected from the container engine (podman serving the Docker
/// API, with its own storage so that only this test's containers are listed), never recording or
/// printing a value of the container's environment.
@Suite(.serialized) struct DetectContainerTests {
    /// One isolated engine with the busybox image, an empty current directory (no compose file) and a
    /// secret key and database password that must appear nowhere.
    final class Engine {
        let podman: PodmanService
        let image: String
        let empty: FixtureTree
        let secret = "bp-secret-\(UUID().uuidString)"
        let password = "pw-\(UUID().uuidString.prefix(12))"

        init() throws {
            // The well-known places must not hold a deployment, or detection would not ask the engine.
            for path in WellKnownLocations.composeFolders + WellKnownLocations.dataDirs {
                try #require(!FileManager.default.fileExists(atPath: path),
                             "\(path) exists on this machine: detection without options would use it instead of the engine")
            }
            podman = try PodmanService(isolated: true)
            image = try podman.busyboxImage()
            empty = try FixtureTree()
        }

        /// A named volume holding a copy of the fixture's data dir; its mountpoint.
        func filledVolume(_ name: String) throws -> String {
            try podman.docker(["volume", "create", name])
            let mountpoint = try podman.docker(["volume", "inspect", "--format", "{{ .Mountpoint }}", name])
            try FileManager.default.removeItem(atPath: mountpoint)
            try empty.copyData(to: "copy-\(name)")
            try FileManager.default.moveItem(atPath: empty.path + "/copy-\(name)", toPath: mountpoint)
            return mountpoint
        }

        /// `docker run -d --name NAME ARGS IMAGE sleep 600` (or `create` when not `running`).
        func run(_ name: String, _ arguments: [String], image: String? = nil, running: Bool = true) throws {
            try podman.docker([running ? "run" : "create"] + (running ? ["-d"] : []) + ["--pull=never", "--name", name]
                              + arguments + [image ?? self.image, "sleep", "600"])
        }

        func detect(container: String? = nil, environment: [String: String]? = nil) -> (Deployment?, [Diagnostic]) {
            Detector.detect(DetectOptions(environment: environment ?? podman.environment, currentDirectory: empty.path,
                                          container: container))
        }

        /// Everything detection produced, as text: what must not hold a secret.
        func text(_ deployment: Deployment?, _ diagnostics: [Diagnostic]) throws -> String {
            (try deployment?.canonicalJSON() ?? "") + DiagnosticPrinter(format: .text, color: false).render(diagnostics)
                + DiagnosticPrinter(format: .json, color: false).render(diagnostics)
        }

        func stop() {
            podman.stop() // removes every container of its own storage, and the volumes with its folder
            empty.remove()
        }
    }

    static func unique(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }

    @Test func aDockerRunContainerWithANamedVolumeIsFoundWithoutOptions() throws {
        let engine = try Engine()
        defer { engine.stop() }
        let name = Self.unique("open-webui"), volume = Self.unique("owui-data"), bystander = Self.unique("nginx")
        let mountpoint = try engine.filledVolume(volume)
        try engine.run(name, ["--restart", "unless-stopped", "-v", "\(volume):/app/backend/data",
                              "-e", "WEBUI_SECRET_KEY=\(engine.secret)",
                              "-e", "DATABASE_URL=postgresql://owui:\(engine.password)@db:5432/owui", "-e", "VECTOR_DB=chroma"])
        try engine.run(bystander, [], running: false) // mounts nothing at the data target, runs no open-webui image

        let (found, diagnostics) = engine.detect()
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let deployment = try #require(found)
        #expect(deployment.container == ContainerInfo(name: name, engine: "docker", restartPolicy: "unless-stopped",
                                                      containers: [bystander, name].sorted()))
        #expect(deployment.compose == nil)
        #expect(deployment.app.image == engine.image)
        #expect(deployment.app.imageDigest?.hasPrefix("localhost/backplan-busybox@sha256:") == true)
        #expect(deployment.dataDir == mountpoint)
        #expect(deployment.dataDirSource == "container-volume")
        #expect(deployment.volume == VolumeInfo(name: volume, external: false))
        #expect(deployment.dataDirExists)
        #expect(deployment.entries.map(\.name) == ["cache", "uploads", "vector_db", "webui.db", "webui.db-shm", "webui.db-wal"])
        #expect(deployment.entry(named: "webui.db")?.kind == .sqlite)
        #expect(deployment.entry(named: "vector_db")?.kind == .chroma)
        #expect(deployment.app.alembicVersion == "0bd252b206fb")
        #expect(deployment.environment.secretKey == .set)
        #expect(deployment.environment.databaseScheme == "postgresql")
        #expect(deployment.environment.vectorDB == "chroma")
        #expect(deployment.environment.storageProvider == nil)
        #expect(deployment.keys == [KeyInfo(name: "WEBUI_SECRET_KEY", source: .containerEnvironment),
                                    KeyInfo(name: "OAUTH_SESSION_TOKEN_ENCRYPTION_KEY", source: .secretKeyFallback),
                                    KeyInfo(name: "OAUTH_CLIENT_INFO_ENCRYPTION_KEY", source: .secretKeyFallback)])
        #expect(deployment.problems().isEmpty, "\(deployment.problems())")
        let text = try engine.text(deployment, diagnostics)
        #expect(!text.contains(engine.secret) && !text.contains(engine.password), "a value of the environment was recorded")
        #expect(text.contains("\"container-environment\""))
        // The saved JSON reads back to the same deployment.
        let decoded = try JSONDecoder().decode(Deployment.self, from: Data(try deployment.canonicalJSON().utf8))
        #expect(decoded == deployment)
    }

    @Test func aBindMountAtTheContainersOwnDataDir() throws {
        let engine = try Engine()
        defer { engine.stop() }
        let name = Self.unique("owui")
        try engine.empty.copyData(to: "host/owui-data")
        let host = engine.empty.path + "/host/owui-data"
        // Its own DATA_DIR moves the data target; WEBUI_SECRET_KEY is empty; OAuth is configured with one key set.
        try engine.run(name, ["-v", "\(host):/srv/data", "-e", "DATA_DIR=/srv/data", "-e", "WEBUI_SECRET_KEY=",
                              "-e", "OAUTH_CLIENT_ID=client", "-e", "OAUTH_CLIENT_INFO_ENCRYPTION_KEY=\(engine.secret)"],
                       running: false)

        let (found, diagnostics) = engine.detect()
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let deployment = try #require(found)
        #expect(deployment.container == ContainerInfo(name: name, engine: "docker", restartPolicy: "no", containers: [name]))
        #expect(deployment.dataDir == host)
        #expect(deployment.dataDirSource == "container-bind")
        #expect(deployment.volume == nil)
        #expect(deployment.entry(named: "webui.db")?.kind == .sqlite)
        #expect(deployment.environment.dataDir == "/srv/data")
        #expect(deployment.environment.secretKey == .empty)
        #expect(deployment.environment.oauthConfigured == true)
        #expect(deployment.keys == [KeyInfo(name: "WEBUI_SECRET_KEY", source: .generatedInContainer, file: "/app/backend/.webui_secret_key"),
                                    KeyInfo(name: "OAUTH_SESSION_TOKEN_ENCRYPTION_KEY", source: .secretKeyFallback),
                                    KeyInfo(name: "OAUTH_CLIENT_INFO_ENCRYPTION_KEY", source: .containerEnvironment)])
        #expect(!(try engine.text(deployment, diagnostics)).contains(engine.secret))
    }

    @Test func severalCandidatesAreAnErrorUntilOneIsNamed() throws {
        let engine = try Engine()
        defer { engine.stop() }
        let app = Self.unique("open-webui"), old = Self.unique("open-webui-old"), volume = Self.unique("owui")
        let mountpoint = try engine.filledVolume(volume)
        try engine.run(app, ["-v", "\(volume):/app/backend/data", "-e", "WEBUI_SECRET_KEY=\(engine.secret)"])
        // A stopped container of an image named open-webui, mounting nothing.
        let tagged = "localhost/open-webui:old"
        try engine.podman.docker(["tag", engine.image, tagged])
        try engine.run(old, [], image: tagged, running: false)

        let (none, several) = engine.detect()
        #expect(none == nil)
        #expect(several.map(\.code) == [.severalContainers])
        let error = try #require(several.first)
        #expect(error.severity == .error)
        #expect(error.message == "2 containers look like Open WebUI: \([app, old].sorted().joined(separator: ", "))")
        #expect(error.notes.contains("\(app): image \(engine.image), running, mounts /app/backend/data"))
        #expect(error.notes.contains("\(old): image \(tagged), created"))
        #expect(error.help?.hasPrefix("pass --container NAME") == true)
        #expect(!(try engine.text(nil, several)).contains(engine.secret))

        let (found, diagnostics) = engine.detect(container: app)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(found?.container?.name == app)
        #expect(found?.container?.containers == [app, old].sorted())
        #expect(found?.dataDir == mountpoint)
        #expect(found?.dataDirSource == "container-volume")
        #expect(found?.keys?.first?.source == .containerEnvironment)

        // The other one has no data mount: BP404, as for a compose service without one.
        let (bare, problems) = engine.detect(container: old)
        #expect(problems.map(\.code) == [.composeNoDataMount])
        #expect(problems.first?.message == "container '\(old)' mounts nothing at /app/backend/data: its data lives in the container and is lost with it")
        #expect(bare?.container?.name == old)
        #expect(bare?.app.image == tagged)
        #expect(bare?.dataDir == nil)
    }

    @Test func aContainerThatDoesNotExistIsAClearError() throws {
        let engine = try Engine()
        defer { engine.stop() }
        let name = Self.unique("open-webui")
        try engine.run(name, ["-v", "\(Self.unique("v")):/app/backend/data"], running: false)
        let typo = String(name.dropLast())
        let (found, diagnostics) = engine.detect(container: typo)
        #expect(found == nil)
        #expect(diagnostics.map(\.code) == [.containerUnreadable])
        #expect(diagnostics.first?.message == "the container engine (docker) has no container '\(typo)'; did you mean '\(name)'?")
        #expect(diagnostics.first?.notes.last == "containers: \(name)")
        #expect(diagnostics.first?.help == "pass --container with a name from `docker ps -a`")

        let (bad, refused) = engine.detect(container: "-x;rm")
        #expect(bad == nil)
        #expect(refused.map(\.message) == ["'-x;rm' is not a container name"])
    }

    @Test func aContainerCreatedByComposeIsUsedWithANote() throws {
        let engine = try Engine()
        defer { engine.stop() }
        let name = Self.unique("owui-open-webui-1"), volume = Self.unique("owui_data")
        let mountpoint = try engine.filledVolume(volume)
        try engine.run(name, ["-v", "\(volume):/app/backend/data", "--label", "com.docker.compose.project=owui",
                              "--label", "com.docker.compose.project.config_files=/srv/owui/compose.yaml"])
        let (found, diagnostics) = engine.detect()
        #expect(diagnostics.map(\.code) == [.composeContainer])
        #expect(diagnostics.first?.severity == .note)
        #expect(diagnostics.first?.message == "container '\(name)' was created by compose project 'owui' from /srv/owui/compose.yaml")
        #expect(diagnostics.first?.help == "detect with --compose /srv/owui/compose.yaml: the compose file gives a better plan")
        #expect(found?.container?.name == name)
        #expect(found?.dataDir == mountpoint)
    }

    @Test func thePodmanCLIAnswersWhenDockerIsNotInstalled() throws {
        let engine = try Engine()
        defer { engine.stop() }
        let name = Self.unique("open-webui"), volume = Self.unique("owui")
        let mountpoint = try engine.filledVolume(volume)
        try engine.run(name, ["--restart", "always", "-v", "\(volume):/app/backend/data"])
        // PATH holds podman alone, and no DOCKER_HOST: podman reads its (this test's) storage itself.
        let bin = engine.empty.path + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let podman = try #require(PodmanService.find("podman", path: ProcessInfo.processInfo.environment["PATH"] ?? ""))
        try FileManager.default.createSymbolicLink(atPath: bin + "/podman", withDestinationPath: podman)
        var environment = engine.podman.environment
        environment["PATH"] = bin
        environment["DOCKER_HOST"] = nil
        let (found, diagnostics) = engine.detect(environment: environment)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(found?.container == ContainerInfo(name: name, engine: "podman", restartPolicy: "always", containers: [name]))
        #expect(found?.dataDir == mountpoint)
        #expect(found?.dataDirSource == "container-volume")
        #expect(found?.keys?.first == KeyInfo(name: "WEBUI_SECRET_KEY", source: .generatedInContainer, file: "/app/backend/.webui_secret_key"))
    }

    /// An engine that does not answer: a note, then the well-known data dirs as before (here under a root
    /// holding the documented volume's path).
    @Test func anEngineThatDoesNotAnswerFallsBackToTheWellKnownPaths() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.copyData(to: "var/lib/docker/volumes/open-webui/_data")
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_HOST"] = "unix://\(tree.path)/nothing.sock"
        let (found, diagnostics) = Detector.detect(DetectOptions(root: tree.path, environment: environment))
        #expect(diagnostics.map(\.code) == [.dockerUnavailable])
        #expect(diagnostics.first?.severity == .note)
        #expect(diagnostics.first?.message.hasPrefix("the container engine did not list its containers: 'docker ps -a' exited with 1") == true)
        #expect(found?.dataDir == "/var/lib/docker/volumes/open-webui/_data")
        #expect(found?.dataDirSource == "well-known-path")
        #expect(found?.container == nil)
        #expect(found?.entry(named: "webui.db")?.kind == .sqlite)
    }
}

/// The engine's answers are input from elsewhere: a fake `docker` on PATH prints hostile ones.
@Suite struct DetectContainerHostileTests {
    /// A folder with a `docker` script that answers `ps` with one container and `inspect` with `inspect`
    /// (written to a file beside it, printed as it is), and `image inspect` with nothing.
    static func detect(inspect: String, container: String? = nil) throws -> (Deployment?, [Diagnostic], FixtureTree) {
        let tree = try FixtureTree()
        try tree.write("inspect.json", inspect)
        try tree.write("bin/docker", """
            #!/bin/sh
            case "$1" in
              ps) echo "0123abcd owui" ;;
              inspect) cat '\(tree.path)/inspect.json' ;;
              image) echo '[]' ;;
              *) exit 1 ;;
            esac

            """)
        chmod(tree.path + "/bin/docker", 0o755)
        try FileManager.default.createDirectory(atPath: tree.path + "/cwd", withIntermediateDirectories: true)
        let environment = ["PATH": tree.path + "/bin:/usr/bin:/bin", "DOCKER_HOST": "unix:///fake.sock"]
        let (found, diagnostics) = Detector.detect(DetectOptions(environment: environment, currentDirectory: tree.path + "/cwd",
                                                                 container: container))
        return (found, diagnostics, tree)
    }

    static func container(name: String = "/owui", source: String, type: String = "volume") -> String {
        """
        [{"Id": "0123abcd", "Name": "\(name)", "Image": "sha256:00", "State": {"Status": "running"},
          "Config": {"Image": "ghcr.io/open-webui/open-webui:main", "Env": ["WEBUI_SECRET_KEY=hostile-secret-value"], "Labels": null},
          "HostConfig": {"RestartPolicy": {"Name": ""}},
          "Mounts": [{"Type": "\(type)", "Name": "owui", "Source": "\(source)", "Destination": "/app/backend/data", "Driver": "local"}]}]
        """
    }

    @Test(arguments: ["relative/_data", "/var/lib/docker/volumes/../../../etc", ""])
    func aMountPathThatIsNotAbsoluteOrClimbsIsRefused(_ source: String) throws {
        let (found, diagnostics, tree) = try Self.detect(inspect: Self.container(source: source))
        defer { tree.remove() }
        #expect(diagnostics.map(\.code) == [.containerUnreadable])
        #expect(diagnostics.first?.message.hasPrefix("volume 'owui' (driver local) of container 'owui' at /app/backend/data has no usable host path") == true)
        #expect(found?.dataDir == nil)
        #expect(found?.container?.restartPolicy == "no")
        #expect(found?.keys?.first?.source == .containerEnvironment)
        #expect(!(try found?.canonicalJSON() ?? "").contains("hostile-secret-value"))
    }

    @Test func aNameThatIsNotAContainerNameIsRefused() throws {
        let (found, diagnostics, tree) = try Self.detect(inspect: Self.container(name: "/owui\\u001b[2J", source: "/data"))
        defer { tree.remove() }
        #expect(found == nil)
        #expect(diagnostics.map(\.code) == [.containerUnreadable])
        #expect(diagnostics.first?.message == "the engine names a container 'owui\u{1B}[2J', which is not a container name")
    }

    @Test func aTmpfsIsNoDataDir() throws {
        let (found, diagnostics, tree) = try Self.detect(inspect: Self.container(source: "", type: "tmpfs"), container: "owui")
        defer { tree.remove() }
        #expect(diagnostics.map(\.code) == [.composeNoDataMount])
        #expect(diagnostics.first?.message.contains("is a tmpfs: there is no lasting data dir") == true)
        #expect(found?.dataDir == nil)
    }

    @Test(arguments: ["not json", "{\"Id\": 1}", "[{\"Name\": \"/x\"}]"])
    func anAnswerThatIsNotInspectJSONIsAnError(_ answer: String) throws {
        let (found, diagnostics, tree) = try Self.detect(inspect: answer)
        defer { tree.remove() }
        #expect(found == nil)
        #expect(diagnostics.map(\.code) == [.containerUnreadable])
        #expect(diagnostics.first?.message.hasPrefix("cannot read the engine's containers: 'docker inspect' gave ") == true)
    }

    @Test func anAnswerTooLargeIsCutOff() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        let result = ProcessRunner.run("/usr/bin/head", ["-c", "5000000", "/dev/zero"], environment: [:], timeout: 10, outputLimit: 1 << 20)
        guard case .failure(let failure) = result else {
            Issue.record("5 MB passed a 1 MiB limit")
            return
        }
        #expect(failure.reason == "'head -c' printed more than 1048576 bytes")
        // Under the limit, the output is whole.
        let small = ProcessRunner.run("/usr/bin/head", ["-c", "300000", "/dev/zero"], environment: [:], timeout: 10, outputLimit: 1 << 20)
        #expect((try? small.get().stdout.utf8.count) == 300_000)
    }
}
