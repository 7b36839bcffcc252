import Foundation

/// Reads plan.json as untrusted input (it may be hand-edited, truncated or from another version): it
/// must be exactly what this version writes (no unknown field, no other type, the same format), and
/// pass `CompiledPlanValidator`. Nothing is read from the disk here.
public enum CompiledPlanReader {
    public static func read(_ data: Data) -> Result<CompiledPlan, CompiledPlanProblem> {
        let tree: JSONValue
        do {
            tree = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let error as DecodingError {
            let problem = CompiledPlanProblem.from(error)
            return .failure(problem.field.isEmpty ? CompiledPlanProblem("", "is not JSON (truncated or edited)") : problem)
        } catch {
            return .failure(CompiledPlanProblem("", "is not JSON"))
        }
        guard case .object(let top) = tree else { return .failure(CompiledPlanProblem("", "is not a JSON object")) }
        if let problem = formatProblem(top["format"]) { return .failure(problem) }
        let plan: CompiledPlan
        do {
            plan = try JSONDecoder().decode(CompiledPlan.self, from: data)
        } catch let error as DecodingError {
            return .failure(CompiledPlanProblem.from(error))
        } catch {
            return .failure(CompiledPlanProblem("", "cannot be read"))
        }
        if let problem = difference(tree, written(plan), at: "") { return .failure(problem) }
        if let problem = CompiledPlanValidator.problems(plan).first { return .failure(problem) }
        return .success(plan)
    }

    static func formatProblem(_ value: JSONValue?) -> CompiledPlanProblem? {
        guard let value else { return CompiledPlanProblem("format", "is missing") }
        guard case .int(let format) = value else { return CompiledPlanProblem("format", "must be a whole number") }
        if format > CompiledPlan.currentFormat {
            return CompiledPlanProblem("format", "is \(format), newer than this backplan reads (\(CompiledPlan.currentFormat)): use the backplan that compiled it")
        }
        if format < CompiledPlan.currentFormat {
            return CompiledPlanProblem("format", "is \(format), older than this backplan reads (\(CompiledPlan.currentFormat))")
        }
        return nil
    }

    /// The plan as this version writes it, as a value.
    static func written(_ plan: CompiledPlan) -> JSONValue {
        let data = Data(plan.canonicalJSON().utf8)
        return (try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .null
    }

    /// The first place where `input` is not what this version writes (`expected`), in key order.
    static func difference(_ input: JSONValue, _ expected: JSONValue, at field: String) -> CompiledPlanProblem? {
        switch (input, expected) {
        case let (.object(a), .object(b)):
            for key in a.keys.sorted() {
                let path = field.isEmpty ? key : field + "." + key
                guard let other = b[key] else {
                    return CompiledPlanProblem(path, "is not a field this backplan writes here")
                }
                if let problem = difference(a[key] ?? .null, other, at: path) { return problem }
            }
            if let missing = b.keys.sorted().first(where: { a[$0] == nil }) {
                return CompiledPlanProblem(field.isEmpty ? missing : field + "." + missing, "is missing")
            }
            return nil
        case let (.array(a), .array(b)):
            for (index, pair) in zip(a, b).enumerated() {
                if let problem = difference(pair.0, pair.1, at: field + "[\(index)]") { return problem }
            }
            return a.count == b.count ? nil : CompiledPlanProblem(field, "is not as this backplan writes it")
        default:
            return input == expected ? nil : CompiledPlanProblem(field, "is not as this backplan writes it")
        }
    }
}
