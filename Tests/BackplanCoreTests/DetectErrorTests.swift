import Foundation
import Testing
@testable import BackplanCore

/// Bad input gives located diagnostics, never a crash.
@Suite struct DetectErrorTests {
    func detect(_ tree: FixtureTree, compose: String? = "/compose.yaml", service: String? = nil,
                dataDir: String? = nil) -> (Deployment?, [Diagnostic]) {
        Detector.detect(DetectOptions(composeFile: compose, dataDir: dataDir, root: tree.path, service: service,
                                      environment: [:]))
    }

    @Test func missingComposeFile() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        let (found, diagnostics) = detect(tree)
        #expect(found == nil)
        #expect(diagnostics.map(\.code) == [.unreadableFile])
        #expect(diagnostics.first?.file == "/compose.yaml")
        #expect(diagnostics.first?.message.hasPrefix("cannot read the compose file: no such file") == true)
    }

    @Test func folderInsteadOfComposeFile() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try FileManager.default.createDirectory(atPath: tree.path + "/compose.yaml", withIntermediateDirectories: true)
        let (found, diagnostics) = detect(tree)
        #expect(found == nil)
        #expect(diagnostics.map(\.code) == [.unreadableFile])
        #expect(diagnostics.first?.message.contains("it is a folder, not a file") == true)
    }

    @Test func brokenYAMLAndNonUTF8() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.write("compose.yaml", "services:\n  app:\n    image: [x\n")
        let (found, diagnostics) = detect(tree)
        #expect(found == nil)
        #expect(diagnostics.map(\.code) == [.yamlSyntax])
        #expect(diagnostics.first?.location?.line == 4)
        try tree.write("compose.yaml", bytes: Array("services:\n  app: {}\n# ".utf8) + [0xC3, 0x28])
        let (again, encoding) = detect(tree)
        #expect(again == nil)
        #expect(encoding.map(\.code) == [.invalidEncoding])
        #expect(encoding.first?.location?.line == 3)
    }

    @Test func composeWithoutServicesOrWithWrongVolumeType() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.write("compose.yaml", "volumes:\n  a: {}\n")
        #expect(detect(tree).1.map(\.code) == [.composeInvalid])
        try tree.write("compose.yaml", "services:\n  app:\n    image: open-webui\n    volumes:\n      - {target: 5, type: [bind]}\n")
        let (found, diagnostics) = detect(tree)
        #expect(diagnostics.map(\.code) == [.composeNoDataMount, .composeInvalid])
        #expect(diagnostics.last?.location == SourceLocation(line: 5, column: 27))
        #expect(diagnostics.last?.message == "'type' must be a string, not a list")
        #expect(found?.compose?.service == "app")
        #expect(found?.dataDir == nil)
    }

    @Test func unknownServiceAndNoAppService() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.write("compose.yaml", "services:\n  db:\n    image: postgres\n  web:\n    image: nginx\n")
        let (_, unknown) = detect(tree, service: "owui")
        #expect(unknown.map(\.code) == [.composeServiceMissing])
        #expect(unknown.first?.help == "services: db, web")
        let (found, none) = detect(tree)
        #expect(none.map(\.code) == [.composeServiceMissing])
        #expect(found?.compose?.services == ["db", "web"])
        #expect(found?.compose?.service == nil)
    }

    @Test func anonymousVolumeAndMissingDataDir() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.write("compose.yaml", "services:\n  app:\n    volumes: [/app/backend/data]\n")
        let (_, anonymous) = detect(tree)
        #expect(anonymous.map(\.code) == [.composeNoDataMount])
        #expect(anonymous.first?.location == SourceLocation(line: 3, column: 15))
        try tree.write("compose.yaml", "services:\n  app:\n    volumes: ['/srv/gone:/app/backend/data']\n")
        let (found, missing) = detect(tree)
        #expect(missing.map(\.code) == [.dataDirMissing])
        #expect(missing.first?.notes == ["looked up as \(tree.path)/srv/gone"])
        #expect(found?.dataDir == "/srv/gone")
        #expect(found?.dataDirExists == false)
        #expect(found?.entries == [])
    }

    @Test func missingEnvFileIsLocated() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.copyData(to: "data")
        try tree.write("compose.yaml", "services:\n  app:\n    volumes: ['./data:/app/backend/data']\n    env_file:\n      - nope.env\n")
        let (found, diagnostics) = detect(tree)
        #expect(diagnostics.map(\.code) == [.composeInvalid])
        #expect(diagnostics.first?.location == SourceLocation(line: 5, column: 9))
        #expect(diagnostics.first?.message == "env_file 'nope.env' of service 'app' cannot be read: no such file")
        #expect(found?.dataDirExists == true)
    }

    @Test func nothingFound() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        let (found, diagnostics) = detect(tree, compose: nil)
        #expect(found == nil)
        #expect(diagnostics.map(\.code) == [.dataDirMissing])
        #expect(diagnostics.first?.help == "pass --compose FILE, --container NAME or --data-dir DIR")
        #expect(diagnostics.first?.notes.contains("no container engine to ask (DOCKER_HOST is unset and there is no /var/run/docker.sock)") == true)
    }
}
