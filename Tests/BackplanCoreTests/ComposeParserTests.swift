import Testing
@testable import BackplanCore

@Suite struct ComposeParserTests {
    func parse(_ text: String, variables: [String: String] = [:]) -> (ComposeFile?, [Diagnostic]) {
        let result = ComposeParser.parse(text, file: "compose.yaml", path: "/srv/app/compose.yaml", variables: variables)
        return (result.compose, result.diagnostics)
    }

    @Test func readsServicesVolumesAndEnvironment() throws {
        let (compose, diagnostics) = parse("""
            name: My_Project
            services:
              webui:
                image: ghcr.io/open-webui/open-webui:${TAG:-main}
                container_name: owui
                volumes:
                  - open-webui:/app/backend/data
                  - ./data:/data:rw
                  - /abs:/abs:ro
                  - /anonymous
                  - type: bind
                    source: ../x
                    target: /x
                    read_only: true
                  - {type: volume, source: other, target: /other}
                  - {type: tmpfs, target: /tmp}
                environment:
                  - WEBUI_SECRET_KEY=s3cret=with=equals
                  - BARE
                env_file: .env.app
              ollama:
                image: ollama/ollama
                environment:
                  OLLAMA_HOST: 0.0.0.0
                  EMPTY:
                env_file:
                  - a.env
                  - {path: b.env, required: false}
            volumes:
              open-webui:
              other: {name: custom-name}
              ext: {external: true}
              legacy: {external: {name: old-name}}
            """)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let file = try #require(compose)
        #expect(file.name == "My_Project")
        #expect(file.directory == "/srv/app")
        #expect(file.services.map(\.name) == ["ollama", "webui"])
        let webui = try #require(file.service(named: "webui"))
        #expect(webui.image == "ghcr.io/open-webui/open-webui:main")
        #expect(webui.containerName == "owui")
        #expect(webui.location == SourceLocation(line: 3, column: 3))
        #expect(webui.mounts.map(\.kind) == [.volume, .bind, .bind, .anonymous, .bind, .volume, .other])
        #expect(webui.mounts.map(\.source) == ["open-webui", "./data", "/abs", nil, "../x", "other", nil])
        #expect(webui.mounts.map(\.target) == ["/app/backend/data", "/data", "/abs", "/anonymous", "/x", "/other", "/tmp"])
        #expect(webui.mounts.map(\.readOnly) == [false, false, true, false, true, false, false])
        #expect(webui.mounts[0].location == SourceLocation(line: 7, column: 9))
        #expect(webui.environment.map(\.key) == ["WEBUI_SECRET_KEY", "BARE"])
        #expect(webui.environment.map(\.value) == ["s3cret=with=equals", nil])
        #expect(webui.envFiles.map(\.path) == [".env.app"])
        let ollama = try #require(file.service(named: "ollama"))
        #expect(ollama.environment.map(\.key) == ["OLLAMA_HOST", "EMPTY"])
        #expect(ollama.environment.map(\.value) == ["0.0.0.0", nil])
        #expect(ollama.envFiles.map(\.path) == ["a.env", "b.env"])
        #expect(ollama.envFiles.map(\.required) == [true, false])
        #expect(file.volumes.map(\.key) == ["ext", "legacy", "open-webui", "other"])
        #expect(file.engineVolumeName("open-webui", project: "p") == ("p_open-webui", false))
        #expect(file.engineVolumeName("other", project: "p") == ("custom-name", false))
        #expect(file.engineVolumeName("ext", project: "p") == ("ext", true))
        #expect(file.engineVolumeName("legacy", project: "p") == ("old-name", true))
        #expect(file.engineVolumeName("undeclared", project: "p") == ("p_undeclared", false))
    }

    @Test(arguments: [
        ("My_Project", "my_project"),
        ("Open WebUI!", "openwebui"),
        ("_-x.y", "xy"),
        ("ÄBC-1", "bc-1"),
    ])
    func normalizesProjectNames(_ input: String, _ expected: String) {
        #expect(ComposeProjectName.normalize(input) == expected)
    }

    @Test func projectNamePrecedence() {
        var compose = ComposeFile(path: "/opt/Open-WebUI/compose.yaml", name: "from-file")
        #expect(ComposeProjectName.resolve(explicit: "Opt", compose: compose, variables: [:]) == "opt")
        #expect(ComposeProjectName.resolve(explicit: nil, compose: compose, variables: ["COMPOSE_PROJECT_NAME": "env"]) == "from-file")
        compose.name = nil
        #expect(ComposeProjectName.resolve(explicit: nil, compose: compose, variables: ["COMPOSE_PROJECT_NAME": "env"]) == "env")
        #expect(ComposeProjectName.resolve(explicit: nil, compose: compose, variables: [:]) == "open-webui")
    }

    @Test func interpolationProblemsAreLocated() throws {
        let (compose, diagnostics) = parse("""
            services:
              app:
                image: "x:${TAG:?set TAG}"
                volumes: ["$DATA/x:/app/backend/data"]
            """)
        #expect(compose?.service(named: "app")?.mounts.first?.source == "/x")
        #expect(diagnostics.map(\.code) == [.composeInterpolation, .composeInterpolation])
        #expect(diagnostics.map(\.severity) == [.error, .warning])
        #expect(diagnostics.map(\.location) == [SourceLocation(line: 3, column: 15), SourceLocation(line: 4, column: 16)])
        #expect(diagnostics[0].message == "required variable TAG is not set: set TAG")
    }

    /// Each broken file gives one located diagnostic with the expected code.
    @Test(arguments: [
        ("services: [a, b]", DiagnosticCode.composeInvalid, 1, 11, "'services:' must be a mapping of service names, not a list"),
        ("version: '3'\n", .composeInvalid, 1, 1, "the compose file has no 'services:'"),
        ("services:\n", .composeInvalid, 1, 1, "'services:' is empty"),
        ("- a\n- b\n", .composeInvalid, 1, 1, "a compose file must be a mapping with 'services:', not a list"),
        ("services:\n  app:\n    volumes: 3\n", .composeInvalid, 3, 14, "'volumes' of service 'app' must be a list, not a string"),
        ("services:\n  app:\n    volumes:\n      - [a, b]\n", .composeInvalid, 4, 9, "a volume of service 'app' must be a string or a mapping, not a list"),
        ("services:\n  app:\n    volumes:\n      - a:b:c:d\n", .composeInvalid, 4, 9, "volume 'a:b:c:d' of service 'app' is not SOURCE:TARGET[:MODE]"),
        ("services:\n  app:\n    volumes:\n      - {source: x}\n", .composeInvalid, 4, 9, "a volume of service 'app' has no 'target'"),
        ("services:\n  app:\n    volumes:\n      - {type: nfs, target: /x}\n", .composeInvalid, 4, 16, "volume type 'nfs' is not one of volume, bind, tmpfs, npipe, image, cluster"),
        ("services:\n  app:\n    volumes:\n      - {target: /x, read_only: maybe}\n", .composeInvalid, 4, 33, "'read_only' must be true or false, not 'maybe'"),
        ("services:\n  app:\n    environment: 5\n", .composeInvalid, 3, 18, "'environment' of service 'app' must be a list or a mapping, not a string"),
        ("services:\n  app:\n    environment:\n      A: [1]\n", .composeInvalid, 4, 10, "environment variable 'A' must be a string, not a list"),
        ("services:\n  app:\n    env_file: {x: 1}\n", .composeInvalid, 3, 15, "'env_file' of service 'app' must be a path or a list, not a mapping"),
        ("services:\n  app: [1]\n", .composeInvalid, 2, 8, "service 'app' must be a mapping, not a list"),
        ("services:\n  app:\n    image: [x]\n", .composeInvalid, 3, 12, "'image' of service 'app' must be a string, not a list"),
        ("volumes: [x]\nservices:\n  app: {}\n", .composeInvalid, 1, 10, "top-level 'volumes:' must be a mapping of volume names, not a list"),
        ("services:\n  app: {image: x}\n  app: {image: y}\n", .duplicateKey, 3, 3, "duplicate key 'app'"),
        ("services:\n  app:\n    image: 'x\n", .yamlSyntax, 4, 1, "found unexpected end of stream while scanning a quoted scalar"),
        ("", .emptyDocument, nil, nil, "the file holds no YAML document"),
    ] as [(String, DiagnosticCode, Int?, Int?, String)])
    func brokenFiles(_ text: String, _ code: DiagnosticCode, _ line: Int?, _ column: Int?, _ message: String) {
        let (_, diagnostics) = parse(text)
        #expect(diagnostics.count == 1, "\(diagnostics)")
        let diagnostic = diagnostics.first
        #expect(diagnostic?.code == code)
        #expect(diagnostic?.severity == .error)
        #expect(diagnostic?.file == "compose.yaml")
        #expect(diagnostic?.location?.line == line)
        #expect(diagnostic?.location?.column == column)
        #expect(diagnostic?.message == message)
    }

    @Test func nonUTF8BytesAreADiagnostic() {
        let bytes = Array("services:\n  app:\n    image: ".utf8) + [0xFF, 0xFE] + Array("\n".utf8)
        let result = ComposeParser.parse(bytes, file: "compose.yaml", path: "/c/compose.yaml", variables: [:])
        #expect(result.compose == nil)
        #expect(result.diagnostics.map(\.code) == [.invalidEncoding])
        #expect(result.diagnostics.first?.location?.line == 3)
    }
}
