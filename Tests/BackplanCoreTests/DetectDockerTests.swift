import Foundation
import TestSupport
import Testing
@testable import BackplanCore

/// `docker volume inspect` against a real engine: podman serving the Docker API.
@Suite(.serialized) struct DetectDockerTests {
    @Test func namedVolumeMountpointComesFromTheEngine() throws {
        let podman = try PodmanService()
        defer { podman.stop() }
        let project = "bptest\(UUID().uuidString.prefix(8).lowercased())"
        let volume = "\(project)_open-webui"
        try podman.docker(["volume", "create", volume])
        defer { _ = try? podman.docker(["volume", "rm", "-f", volume]) }
        let mountpoint = try podman.docker(["volume", "inspect", "--format", "{{ .Mountpoint }}", volume])
        #expect(mountpoint.hasPrefix("/"))
        // Fill the volume with a copy of the fixture data dir.
        try FileManager.default.removeItem(atPath: mountpoint)
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.copyData(to: "data")
        try FileManager.default.moveItem(atPath: tree.path + "/data", toPath: mountpoint)
        try tree.write("compose.yaml", """
            name: \(project)
            services:
              open-webui:
                image: ghcr.io/open-webui/open-webui:main
                volumes: [open-webui:/app/backend/data]
            volumes:
              open-webui:
            """)
        let (found, diagnostics) = Detector.detect(DetectOptions(composeFile: tree.path + "/compose.yaml",
                                                                 environment: podman.environment))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let deployment = try #require(found)
        #expect(deployment.volume == VolumeInfo(name: volume, external: false))
        #expect(deployment.dataDirSource == "volume-inspect")
        #expect(deployment.dataDir == mountpoint)
        #expect(deployment.entry(named: "webui.db")?.kind == .sqlite)
        #expect(deployment.app.alembicVersion == "0bd252b206fb")
        #expect(FileManager.default.fileExists(atPath: mountpoint + "/webui.db-wal"))
    }

    @Test func engineThatDoesNotAnswerIsANote() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        guard PodmanService.find("docker", path: ProcessInfo.processInfo.environment["PATH"] ?? "") != nil else {
            Issue.record("the docker CLI is not installed: `make deps` installs it (CI installs it)")
            return
        }
        try tree.write("compose.yaml", "services:\n  app:\n    volumes: [owui:/app/backend/data]\n")
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_HOST"] = "unix://\(tree.path)/nothing.sock"
        let (found, diagnostics) = Detector.detect(DetectOptions(composeFile: tree.path + "/compose.yaml",
                                                                 project: "p", environment: environment))
        #expect(diagnostics.map(\.code) == [.dataDirMissing, .dockerUnavailable])
        let note = diagnostics.first { $0.code == .dockerUnavailable }
        #expect(note?.severity == .note)
        #expect(note?.location == SourceLocation(line: 3, column: 15))
        #expect(note?.message.contains("'docker volume inspect p_owui' exited with 1") == true)
        #expect(found?.dataDir == "/var/lib/docker/volumes/p_owui/_data")
        #expect(found?.dataDirSource == "volume-default-path")
    }
}
