import ArgumentParser
import BackplanCore
import Foundation

extension DiagnosticPrinter.Format: ExpressibleByArgument {}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate plans against their deployments and report every problem.",
        discussion: """
            Without PLAN, checks every plans/*.yaml. A plan is validated against the deployment saved \
            beside it (plans/<name>.deployment.json, written by 'backplan detect --json'); without one, \
            it is checked on its own and a note says so. Errors fail the check; warnings fail it only \
            with --strict.
            """
    )

    @Argument(help: "Plan files, or names of plans under plans/.")
    var plans: [String] = []

    @Option(help: "Output format: text, json or github (annotations for GitHub Actions).")
    var format: DiagnosticPrinter.Format = .text

    @Flag(help: "Fail on warnings too.")
    var strict = false

    func run() throws {
        let (paths, resolveProblems) = PlanFiles.resolve(plans)
        var diagnostics = resolveProblems
        var sources: [String: String] = [:]
        for path in paths {
            let bytes: [UInt8]
            switch PlanFiles.read(path) {
            case .failure(let problem):
                diagnostics.append(problem)
                continue
            case .success(let b):
                bytes = b
            }
            sources[path] = String(decoding: bytes, as: UTF8.self)
            let (plan, found) = PlanFrontEnd.process(bytes, file: path)
            diagnostics += found
            guard let plan, !found.hasErrors else { continue }
            let saved = PlanFiles.savedDeployment(for: path)
            if let problem = saved.diagnostic {
                diagnostics.append(problem)
                continue
            }
            var deployment = saved.deployment
            var origin = saved.path
            if deployment == nil, let live = Self.detectLive(plan) {
                diagnostics += live.diagnostics
                deployment = live.deployment
                origin = "detected on this host"
            }
            diagnostics += PlanValidator.validate(plan, deployment: deployment, file: path,
                                                  deploymentOrigin: deployment == nil ? nil : origin)
        }
        let printer = DiagnosticPrinter(format: format, color: Terminal.wantsColor(STDERR_FILENO), sources: sources)
        let failed = diagnostics.hasErrors || (strict && diagnostics.hasWarnings)
        switch format {
        case .text:
            Terminal.writeError(printer.render(diagnostics))
            let verdict = failed ? "failed" : "passed"
            print("check \(verdict): \(paths.count) plan\(paths.count == 1 ? "" : "s"), \(DiagnosticPrinter.summary(diagnostics))")
        case .json, .github:
            print(printer.render(diagnostics), terminator: "")
        }
        if failed { throw ExitCode.failure }
    }

    /// Detection on this host when the plan's compose file or data dir is here (on the server itself);
    /// nil elsewhere (a CI runner), where only a saved deployment can stand in.
    static func detectLive(_ plan: Plan) -> (deployment: Deployment?, diagnostics: [Diagnostic])? {
        let compose = plan.deployment.compose
        let dataDir = plan.deployment.dataDir?.value
        let present = [compose?.file.value, dataDir].compactMap { $0 }.contains { FileManager.default.fileExists(atPath: $0) }
        guard present else { return nil }
        let options = DetectOptions(composeFile: compose?.file.value, dataDir: dataDir, service: compose?.service.value,
                                    project: compose?.project?.value)
        return Detector.detect(options)
    }
}
