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

    @OptionGroup var location: DeploymentOptions

    @Option(help: "The plan's name.")
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
        let (deployment, diagnostics) = location.detect()
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
        print("next: save the deployment for CI with 'backplan detect --json\(location.asArguments) > \(Deployment.savedPath(forPlan: output))', then 'backplan check \(output)'")
    }
}
