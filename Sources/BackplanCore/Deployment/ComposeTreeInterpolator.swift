/// Applies `ComposeInterpolation` to every scalar value of a YAML tree (keys are left as written,
/// as compose does), turning each problem into a located `composeInterpolation` diagnostic.
enum ComposeTreeInterpolator {
    static func interpolate(_ node: YAMLNode, variables: [String: String], file: String) -> (YAMLNode, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        let result = walk(node, variables: variables, file: file, diagnostics: &diagnostics)
        return (result, diagnostics)
    }

    private static func walk(_ node: YAMLNode, variables: [String: String], file: String,
                             diagnostics: inout [Diagnostic]) -> YAMLNode {
        var node = node
        switch node.value {
        case .scalar(var scalar):
            guard scalar.text.contains("$") else { return node }
            let (value, problems) = ComposeInterpolation.expand(scalar.text, variables: variables)
            for problem in problems {
                diagnostics.append(Diagnostic(
                    .composeInterpolation, problem.message, severity: problem.isError ? .error : .warning,
                    file: file, at: location(of: problem.offset, in: node, scalar: scalar),
                    help: problem.isError ? "set the variable in the environment or in the .env file beside the compose file, or write '$$' for a literal '$'"
                        : "set it in the environment or in the .env file beside the compose file"))
            }
            scalar.text = value
            node.value = .scalar(scalar)
        case .mapping(let pairs):
            node.value = .mapping(pairs.map {
                YAMLPair(key: $0.key, value: walk($0.value, variables: variables, file: file, diagnostics: &diagnostics))
            })
        case .sequence(let items):
            node.value = .sequence(items.map { walk($0, variables: variables, file: file, diagnostics: &diagnostics) })
        }
        return node
    }

    /// The position of a scalar offset: exact for one-line scalars, the scalar's start otherwise.
    private static func location(of offset: Int, in node: YAMLNode, scalar: YAMLScalar) -> SourceLocation {
        guard node.start.line == node.end.line, scalar.style == .plain || scalar.style == .singleQuoted
                || scalar.style == .doubleQuoted else { return node.start }
        let quote = scalar.style == .plain ? 0 : 1
        return SourceLocation(line: node.start.line, column: node.start.column + quote + offset)
    }
}
