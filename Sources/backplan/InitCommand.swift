import ArgumentParser
import BackplanCore
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a starter plan for the deployment detected on this host.",
        discussion: """
            Every entry of the data dir is captured or ignored (cache and audit.log are ignored), with one \
            nightly job to a local folder. Add an off-site target before relying on it.
            """
    )

    @Option(name: .customLong("compose"), help: ArgumentHelp("The compose file.", valueName: "file"))
    var composeFile: String?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The data dir (a pip install, or to override compose).", valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("Read every absolute host path under this folder.", valueName: "dir"))
    var root: String?

    @Option(help: "The plan's name (default: openwebui).")
    var name = "openwebui"

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the plan to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "Overwrite the output file if it exists.")
    var force = false

    func validate() throws {
        guard PlanNames.isValid(name) else {
            throw ValidationError("--name '\(name)' is not a valid plan name: use lowercase letters, digits and '-'")
        }
    }

    func run() throws {
        let (deployment, diagnostics) = Detector.detect(DetectOptions(composeFile: composeFile, dataDir: dataDir, root: root))
        Terminal.writeError(DiagnosticPrinter(format: .text, color: Terminal.wantsColor(STDERR_FILENO)).render(diagnostics))
        guard let deployment, !diagnostics.hasErrors else { throw ExitCode.failure }
        let text = StarterPlan.render(deployment, name: name)
        guard let output else {
            print(text, terminator: "")
            return
        }
        if FileManager.default.fileExists(atPath: output), !force {
            Terminal.writeError("backplan init: '\(output)' exists; pass --force to overwrite it\n")
            throw ExitCode.failure
        }
        let url = URL(fileURLWithPath: output)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        } catch {
            Terminal.writeError("backplan init: cannot write '\(output)': \(PlanFiles.reason(of: error) ?? "\(error)")\n")
            throw ExitCode.failure
        }
        print("wrote \(output)")
        print("next: save the deployment for CI with 'backplan detect --json\(composeFile.map { " --compose \($0)" } ?? "") > \(PlanFiles.deploymentPath(for: output))', then 'backplan check \(output)'")
    }
}
