import ArgumentParser
import BackplanCore
import BackplanEmit
import Foundation

struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile plans into generated/<plan>/: plan.json, job scripts, restore.sh, their lib/backplan.sh, cron.d, systemd units, INSTALL.md.",
        discussion: """
            Without PLAN, compiles every plans/*.yaml and removes folders of generated/ that no plan \
            produces. Writes only files whose bytes change, and removes files of jobs that no longer \
            exist. The same plan always compiles to the same bytes. A plan with errors is not compiled. \
            The generated folder may hold only what compile wrote (files with its header, plan.json) and \
            no symbolic links; anything else is refused before anything is written or removed.
            """
    )

    @Argument(help: "Plan files, or names of plans under plans/.")
    var plans: [String] = []

    @Option(help: ArgumentHelp("The folder of generated files.", valueName: "dir"))
    var generated = "generated"

    @Option(help: ArgumentHelp("Validate against this saved deployment instead of plans/<name>.deployment.json.", valueName: "file"))
    var deployment: String?

    @Flag(help: "Detect the deployment on this host instead of reading the saved one.")
    var detect = false

    @Option(help: "Output format of diagnostics: text, json or github.")
    var format: DiagnosticPrinter.Format = .text

    func validate() throws {
        if deployment != nil, detect { throw ValidationError("--deployment and --detect exclude each other") }
    }

    func run() throws {
        let (paths, resolveProblems) = PlanFiles.resolve(plans)
        var pipeline = PlanPipeline()
        pipeline.diagnostics = resolveProblems
        let choice: DeploymentChoice = deployment.map { .file($0) } ?? (detect ? .detect : .saved)
        var outputs: [(name: String, files: [BackplanEmit.GeneratedFile])] = []
        for path in paths {
            guard let (compiled, files, _) = pipeline.compile(path, deployment: choice) else { continue }
            outputs.append((compiled.name, files))
        }
        let failed = pipeline.diagnostics.hasErrors
        if !failed {
            let problems = GeneratedRootAudit(root: generated).problems()
            if !problems.isEmpty {
                for problem in problems { Terminal.writeError("backplan compile: \(problem)\n") }
                Terminal.writeError("backplan compile: nothing was written or removed\n")
                throw ExitCode.failure
            }
            do {
                for output in outputs {
                    let tree = GeneratedTree(directory: "\(generated)/\(output.name)")
                    let (written, removed) = try tree.update(to: output.files)
                    for path in written { print("wrote \(tree.directory)/\(path)") }
                    for path in removed { print("removed \(tree.directory)/\(path)") }
                }
                if plans.isEmpty {
                    for orphan in GeneratedTree.orphans(in: generated, keeping: Set(outputs.map(\.name))) {
                        try FileManager.default.removeItem(atPath: "\(generated)/\(orphan)")
                        print("removed \(generated)/\(orphan)/")
                    }
                }
            } catch {
                Terminal.writeError("backplan compile: cannot write \(generated)/: \(PlanFiles.reason(of: error) ?? "\(error)")\n")
                throw ExitCode.failure
            }
        }
        pipeline.report(format: format, verb: "compile", count: paths.count, failed: failed)
        if failed { throw ExitCode.failure }
    }
}
