/// YAML features a plan refuses rather than half-reads: tags (`!!int`, `!custom`), which the decoder
/// would ignore, and merge keys (`<<`), which it would take for an ordinary key and then report the
/// keys the merge was meant to bring as missing.
enum UnsupportedYAML {
    /// One error per tagged node and per merge key, in document order.
    static func find(in root: YAMLNode, file: String) -> [Diagnostic] {
        var found: [Diagnostic] = []
        var pending = [root]
        while let node = pending.popLast() {
            if let tag = node.tag {
                let core = "tag:yaml.org,2002:"
                let written = tag.hasPrefix(core) ? "!!" + tag.dropFirst(core.count) : tag
                found.append(Diagnostic(.unsupportedYAML, "YAML tag '\(written)' is not supported in a plan",
                                        file: file, at: node.start, length: 1,
                                        help: "remove the tag; a plan reads every value as written"))
            }
            switch node.value {
            case .scalar:
                break
            case .sequence(let items):
                pending.append(contentsOf: items.reversed())
            case .mapping(let pairs):
                for pair in pairs.reversed() {
                    if let key = pair.key.scalar, key.text == "<<", key.style == .plain {
                        found.append(Diagnostic(.unsupportedYAML, "merge keys ('<<') are not supported in a plan",
                                                file: file, at: pair.key.start, length: 2,
                                                help: "write out the keys the merge would copy"))
                    }
                    pending.append(pair.value)
                    pending.append(pair.key)
                }
            }
        }
        return found
    }
}
