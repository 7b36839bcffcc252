import ArgumentParser
import BackplanCore
import Foundation

extension DiagnosticPrinter.Format: ExpressibleByArgument {}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate plans and fail when generated/ is not what they compile to.",
        discussion: """
            Without PLAN, checks every plans/*.yaml and also fails on folders of generated/ that no plan \
            produces. A plan is validated against the deployment saved beside it \
            (plans/<name>.deployment.json, written by 'backplan detect --json'), or detected when the \
            plan's compose file or data dir exists on this machine; otherwise it is checked on its own \
            and a note says so. Then it is compiled in memory and compared with generated/<name>/. \
            Errors fail the check; warnings fail it only with --strict.
            """
    )

    @Argument(help: "Plan files, or names of plans under plans/.")
    var plans: [String] = []

    @Option(help: ArgumentHelp("The folder of generated files.", valueName: "dir"))
    var generated = "generated"

    @Option(help: "Output format: text, json or github (annotations for GitHub Actions).")
    var format: DiagnosticPrinter.Format = .text

    @Flag(help: "Fail on warnings too.")
    var strict = false

    func run() throws {
        let (paths, resolveProblems) = PlanFiles.resolve(plans)
        var pipeline = PlanPipeline()
        pipeline.diagnostics = resolveProblems
        var names: Set<String> = []
        for path in paths {
            guard let (compiled, files, _) = pipeline.compile(path) else { continue }
            names.insert(compiled.name)
            let tree = GeneratedTree(directory: "\(generated)/\(compiled.name)")
            guard FileManager.default.fileExists(atPath: tree.directory) else {
                pipeline.diagnostics.append(Diagnostic(.staleGenerated, "'\(tree.directory)/' is missing: \(path) was never compiled",
                                                       file: tree.directory, help: "run 'backplan compile \(path)' and commit \(tree.directory)/"))
                continue
            }
            pipeline.diagnostics += tree.differences(from: files).map { Self.diagnostic($0, tree: tree, plan: path) }
        }
        if plans.isEmpty {
            // A plan that failed to compile still owns the folder named after its file.
            let stems = paths.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
            for orphan in GeneratedTree.orphans(in: generated, keeping: names.union(stems)) {
                pipeline.diagnostics.append(Diagnostic(.staleGenerated, "no plan produces '\(generated)/\(orphan)/'",
                                                       file: "\(generated)/\(orphan)",
                                                       help: "run 'backplan compile' to remove it, or restore plans/\(orphan).yaml"))
            }
        }
        let failed = pipeline.diagnostics.hasErrors || (strict && pipeline.diagnostics.hasWarnings)
        pipeline.report(format: format, verb: "check", count: paths.count, failed: failed)
        if failed { throw ExitCode.failure }
    }

    static func diagnostic(_ difference: GeneratedTree.Difference, tree: GeneratedTree, plan: String) -> Diagnostic {
        let fix = "run 'backplan compile \(plan)' and commit \(tree.directory)/"
        switch difference {
        case .missing(let path):
            return Diagnostic(.staleGenerated, "'\(path)' is missing: \(plan) compiles to it", file: "\(tree.directory)/\(path)", help: fix)
        case .changed(let path, let diff):
            return Diagnostic(.staleGenerated, "'\(path)' differs from what \(plan) compiles to (stale or edited by hand)",
                              file: "\(tree.directory)/\(path)", help: fix, notes: diff)
        case .mode(let path, let executable):
            return Diagnostic(.staleGenerated, "'\(path)' should \(executable ? "" : "not ")be executable",
                              file: "\(tree.directory)/\(path)", help: fix)
        case .extra(let path):
            return Diagnostic(.staleGenerated, "'\(path)' is produced by no plan", file: "\(tree.directory)/\(path)", help: fix)
        }
    }
}
