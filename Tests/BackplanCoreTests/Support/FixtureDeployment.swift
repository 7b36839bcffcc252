import BackplanCore

/// The deployment that detection reports for the Open WebUI 0.12.4 fixture behind a compose file:
/// a value, so validation tests need no disk. It is the one the rule examples use.
enum FixtureDeployment {
    static var openWebUI: Deployment { RuleExample.deployment(.standard)! }
}

/// Front end and validation of marked plan text against a deployment (nil: none).
func validate(_ source: MarkedSource, against deployment: Deployment? = FixtureDeployment.openWebUI,
              file: String = "plans/openwebui.yaml") -> [Diagnostic] {
    let (plan, diagnostics) = frontEnd(source, file: file)
    guard let plan, !diagnostics.hasErrors else { return diagnostics }
    return diagnostics + PlanValidator.validate(plan, deployment: deployment, file: file)
}
