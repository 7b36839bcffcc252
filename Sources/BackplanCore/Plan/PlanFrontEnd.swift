/// The front half of the compiler for one plan file: bytes → YAML nodes → secret scan → `Plan`.
public enum PlanFrontEnd {
    /// Parses and decodes `bytes` read from `file`. The plan is nil when errors leave nothing to validate.
    public static func process(_ bytes: [UInt8], file: String) -> (plan: Plan?, diagnostics: [Diagnostic]) {
        let document = YAMLParser.parse(bytes, file: file)
        guard let root = document.root else { return (nil, document.diagnostics) }
        // A broken document still gets its structure checked where the parser got through.
        var diagnostics = document.diagnostics + SecretScanner.scan(root, file: file)
        if root.scalar?.isNull == true {
            diagnostics.append(Diagnostic(.emptyDocument, "the file holds no plan", file: file,
                                          help: "start with 'version: 1' and 'name: …'; 'backplan init' writes a starter plan"))
            return (nil, diagnostics)
        }
        let unsupported = UnsupportedYAML.find(in: root, file: file)
        guard unsupported.isEmpty else { return (nil, diagnostics + unsupported) }
        let (plan, decoding) = PlanDecoder.decode(root, file: file)
        diagnostics += decoding
        return (document.diagnostics.hasErrors ? nil : plan, diagnostics)
    }
}
