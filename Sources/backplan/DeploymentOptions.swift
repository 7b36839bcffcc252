import Foundation
import ArgumentParser
import BackplanCore

/// Where to look for the deployment: shared by `detect` and `init`.
struct DeploymentOptions: ParsableArguments {
    @Option(name: .customLong("compose"), help: ArgumentHelp("The compose file.", valueName: "file"))
    var composeFile: String?

    @Option(name: .customLong("data-dir"),
            help: ArgumentHelp("The data dir (a pip install, or to override the compose file's mount).", valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("Read every absolute host path under this folder.", valueName: "dir"))
    var root: String?

    @Option(help: "The app's compose service (default: the one mounting /app/backend/data).")
    var service: String?

    @Option(help: "The compose project name (default: name: in the file, COMPOSE_PROJECT_NAME, the folder).")
    var project: String?

    @Option(help: ArgumentHelp("The app's container, started with docker run (default: the one running open-webui or mounting /app/backend/data, when no compose file is found).",
                               valueName: "name"))
    var container: String?

    func validate() throws {
        if container != nil, composeFile != nil || service != nil || project != nil {
            throw ValidationError("--container is for a deployment started with docker run: it does not go with --compose, --service or --project")
        }
    }

    var detectOptions: DetectOptions {
        DetectOptions(composeFile: composeFile, dataDir: dataDir, root: root, service: service, project: project, container: container)
    }

    /// The options as given, to repeat in a suggested command (` --compose FILE --root DIR`).
    var asArguments: String {
        [("--compose", composeFile), ("--container", container), ("--data-dir", dataDir), ("--root", root), ("--service", service),
         ("--project", project)]
            .compactMap { flag, value in value.map { " \(flag) \($0)" } }.joined()
    }

    /// Detects, printing the diagnostics to standard error.
    func detect() -> (deployment: Deployment?, diagnostics: [Diagnostic]) {
        let result = Detector.detect(detectOptions)
        Terminal.writeError(DiagnosticPrinter(format: .text, color: Terminal.wantsColor(STDERR_FILENO)).render(result.diagnostics))
        return result
    }
}
