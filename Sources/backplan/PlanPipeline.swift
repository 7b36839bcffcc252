import BackplanCore
import BackplanEmit
import Foundation

/// Where a plan's deployment comes from.
enum DeploymentChoice {
    /// `plans/<name>.deployment.json` beside the plan; else detection when the plan's paths exist here.
    case saved
    /// A deployment file named on the command line.
    case file(String)
    /// Detect on this host now.
    case detect
}

/// Runs plans through the stages the commands share, collecting diagnostics and the source text that
/// the printer quotes.
struct PlanPipeline {
    var diagnostics: [Diagnostic] = []
    var sources: [String: String] = [:]

    /// Reads, decodes and validates the plan at `path`; the plan and its deployment when it has no errors.
    mutating func validate(_ path: String, deployment choice: DeploymentChoice = .saved) -> (plan: Plan, deployment: Deployment?)? {
        let bytes: [UInt8]
        switch PlanFiles.read(path) {
        case .failure(let problem):
            diagnostics.append(problem)
            return nil
        case .success(let b):
            bytes = b
        }
        sources[path] = String(decoding: bytes, as: UTF8.self)
        let (plan, found) = PlanFrontEnd.process(bytes, file: path)
        diagnostics += found
        guard let plan, !found.hasErrors else { return nil }
        guard let (deployment, origin) = loadDeployment(for: plan, at: path, choice) else { return nil }
        let validation = PlanValidator.validate(plan, deployment: deployment, file: path, deploymentOrigin: origin)
        diagnostics += validation
        return validation.hasErrors ? nil : (plan, deployment)
    }

    /// Validates, lowers and renders the plan at `path`; also the deployment it was checked against.
    mutating func compile(_ path: String, deployment choice: DeploymentChoice = .saved)
        -> (compiled: CompiledPlan, files: [GeneratedFile], deployment: Deployment?)?
    {
        guard let (plan, deployment) = validate(path, deployment: choice) else { return nil }
        let (compiled, found) = PlanLowering.lower(plan, deployment: deployment, file: path)
        diagnostics += found
        guard let compiled else { return nil }
        return (compiled, PlanEmitter.files(for: compiled), deployment)
    }

    /// The deployment and where it came from; nil (with a diagnostic) when a named one is broken.
    private mutating func loadDeployment(for plan: Plan, at path: String, _ choice: DeploymentChoice)
        -> (Deployment?, String?)?
    {
        switch choice {
        case .file(let file):
            let loaded = PlanFiles.loadDeployment(at: file)
            if let problem = loaded.diagnostic {
                diagnostics.append(problem)
                return nil
            }
            return (loaded.deployment, file)
        case .detect:
            let live = Self.detectLive(plan, always: true)
            diagnostics += live?.diagnostics ?? []
            return (live?.deployment, "detected on this host")
        case .saved:
            let saved = PlanFiles.savedDeployment(for: path)
            if let problem = saved.diagnostic {
                diagnostics.append(problem)
                return nil
            }
            if let deployment = saved.deployment { return (deployment, saved.path) }
            guard let live = Self.detectLive(plan, always: false) else { return (nil, nil) }
            diagnostics += live.diagnostics
            return (live.deployment, "detected on this host")
        }
    }

    /// Detection with the plan's own compose file and data dir. Unless `always`, only when one of them
    /// exists on this machine (the server itself): on a CI runner only a saved deployment stands in.
    static func detectLive(_ plan: Plan, always: Bool) -> (deployment: Deployment?, diagnostics: [Diagnostic])? {
        let compose = plan.deployment.compose
        let dataDir = plan.deployment.dataDir?.value
        let present = [compose?.file.value, dataDir].compactMap { $0 }.contains { FileManager.default.fileExists(atPath: $0) }
        guard present || always else { return nil }
        let options = DetectOptions(composeFile: compose?.file.value, dataDir: dataDir, service: compose?.service.value,
                                    project: compose?.project?.value)
        return Detector.detect(options)
    }

    /// Prints the diagnostics (text to stderr with a verdict line, or json/github to stdout).
    func report(format: DiagnosticPrinter.Format, verb: String, count: Int, failed: Bool) {
        let printer = DiagnosticPrinter(format: format, color: Terminal.wantsColor(STDERR_FILENO), sources: sources)
        switch format {
        case .text:
            Terminal.writeError(printer.render(diagnostics))
            print("\(verb) \(failed ? "failed" : "passed"): \(count) plan\(count == 1 ? "" : "s"), \(DiagnosticPrinter.summary(diagnostics))")
        case .json, .github:
            print(printer.render(diagnostics), terminator: "")
        }
    }
}
