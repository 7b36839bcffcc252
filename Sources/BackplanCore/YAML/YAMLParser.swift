import CYAML

/// Limits that keep a hostile document from hanging or exhausting memory.
public struct YAMLLimits: Sendable {
    /// Largest document accepted, in bytes.
    public var maxBytes: Int = 1 << 20
    /// Deepest nesting of mappings and lists.
    public var maxDepth: Int = 64
    /// Most nodes the document may expand to, counting every alias as a full copy.
    public var maxNodes: Int = 100_000

    public init() {}
}

/// What parsing a YAML file gave: the root node (nil when empty or unreadable) and the problems found.
public struct YAMLDocument: Sendable {
    public var root: YAMLNode?
    public var diagnostics: [Diagnostic]
}

/// Parses YAML through libyaml's event API into located nodes.
public enum YAMLParser {
    /// Parses `bytes`, naming `file` in every diagnostic. Never traps on bad input.
    public static func parse(_ bytes: [UInt8], file: String, limits: YAMLLimits = YAMLLimits()) -> YAMLDocument {
        if bytes.count > limits.maxBytes {
            // Readers stop after maxBytes + 1 bytes, so the real size is unknown here: say only "over".
            let limit = limits.maxBytes == 1 << 20 ? "1 MiB" : "\(limits.maxBytes) bytes"
            return YAMLDocument(root: nil, diagnostics: [Diagnostic(
                .documentTooLarge, "the file is over \(limit), the most a plan or compose file may be",
                file: file, help: "a plan or compose file is a few kilobytes; check that this is the right file")])
        }
        // A UTF-8 byte order mark (as some Windows editors write) is accepted and skipped; columns on the
        // first line are counted after it, as editors show them.
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let bytes = bytes.starts(with: bom) ? Array(bytes.dropFirst(3)) : bytes
        var builder = TreeBuilder(file: file, bytes: bytes, limits: limits)
        builder.run()
        return YAMLDocument(root: builder.root, diagnostics: builder.diagnostics)
    }

    /// Parses UTF-8 text.
    public static func parse(_ text: String, file: String, limits: YAMLLimits = YAMLLimits()) -> YAMLDocument {
        parse(Array(text.utf8), file: file, limits: limits)
    }
}

/// Turns libyaml events into a node tree, checking depth, alias expansion and duplicate keys.
private struct TreeBuilder {
    /// A mapping or list whose end event has not come yet.
    struct Open {
        var isMapping: Bool
        var start: SourceLocation
        var tag: String?
        var anchor: String?
        var items: [YAMLNode] = []
        var weight = 1
    }

    let file: String
    let bytes: [UInt8]
    let limits: YAMLLimits
    var root: YAMLNode?
    var diagnostics: [Diagnostic] = []
    private var stack: [Open] = []
    private var anchors: [String: (node: YAMLNode, weight: Int)] = [:]
    private var totalWeight = 0
    private var documents = 0

    init(file: String, bytes: [UInt8], limits: YAMLLimits) {
        self.file = file
        self.bytes = bytes
        self.limits = limits
    }

    mutating func run() {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            diagnostics.append(Diagnostic(.yamlSyntax, "the YAML parser could not start (out of memory)", file: file))
            return
        }
        defer { yaml_parser_delete(&parser) }
        let input = bytes.isEmpty ? [0] : bytes
        input.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, bytes.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    reportParserError(parser)
                    return
                }
                let done = event.type == YAML_STREAM_END_EVENT
                let keepGoing = handle(event)
                yaml_event_delete(&event)
                if done || !keepGoing { return }
            }
        }
        if root == nil, diagnostics.isEmpty {
            diagnostics.append(Diagnostic(.emptyDocument, "the file holds no YAML document", file: file,
                                          help: "write the plan as a YAML mapping starting with 'version: 1'"))
        }
    }

    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int? = nil) -> String? {
        guard let pointer else { return nil }
        let count = length ?? strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
        let buffer = UnsafeBufferPointer(start: pointer, count: count)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Handles one event; returns false to stop parsing.
    private mutating func handle(_ event: yaml_event_t) -> Bool {
        let start = location(event.start_mark)
        let end = location(event.end_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                diagnostics.append(Diagnostic(.multipleDocuments, "a second YAML document starts here; a plan is one document",
                                              file: file, at: start, length: 3,
                                              help: "remove the '---' line and what follows, or put it in its own file"))
                return false
            }
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let text = string(s.value, length: s.length) ?? ""
            let style: YAMLScalar.Style = switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: .literal
            case YAML_FOLDED_SCALAR_STYLE: .folded
            default: .plain
            }
            let node = YAMLNode(.scalar(YAMLScalar(text, style: style)), start: start, end: end, tag: string(s.tag))
            return add(node, weight: 1, charge: 1, anchor: string(s.anchor))
        case YAML_ALIAS_EVENT:
            let name = string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                diagnostics.append(Diagnostic(.yamlSyntax, "alias '*\(name)' names no anchor defined before it",
                                              file: file, at: start, length: name.count + 1,
                                              help: "define '&\(name)' on a value above this line"))
                return false
            }
            var node = target.node
            node.start = start
            node.end = end
            return add(node, weight: target.weight, charge: target.weight, anchor: nil)
        case YAML_MAPPING_START_EVENT:
            let m = event.data.mapping_start
            return push(Open(isMapping: true, start: start, tag: string(m.tag), anchor: string(m.anchor)))
        case YAML_SEQUENCE_START_EVENT:
            let q = event.data.sequence_start
            return push(Open(isMapping: false, start: start, tag: string(q.tag), anchor: string(q.anchor)))
        case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
            guard let open = stack.popLast() else { return false }
            guard open.isMapping else {
                let node = YAMLNode(.sequence(open.items), start: open.start, end: end, tag: open.tag)
                return add(node, weight: open.weight, charge: 1, anchor: open.anchor)
            }
            var pairs: [YAMLPair] = []
            pairs.reserveCapacity(open.items.count / 2)
            var index = 0
            while index + 1 < open.items.count {
                pairs.append(YAMLPair(key: open.items[index], value: open.items[index + 1]))
                index += 2
            }
            checkDuplicateKeys(pairs)
            let node = YAMLNode(.mapping(pairs), start: open.start, end: end, tag: open.tag)
            return add(node, weight: open.weight, charge: 1, anchor: open.anchor)
        default:
            break
        }
        return true
    }

    private mutating func push(_ open: Open) -> Bool {
        if stack.count >= limits.maxDepth {
            diagnostics.append(Diagnostic(.nestingTooDeep, "nesting is deeper than \(limits.maxDepth) levels",
                                          file: file, at: open.start,
                                          help: "a plan nests a few levels at most; check the brackets and indentation"))
            return false
        }
        stack.append(open)
        return true
    }

    /// Adds a finished node to its parent (or makes it the root). `weight` is the node's size with every
    /// alias expanded; `charge` is what it adds to the document's total (an alias costs its whole target).
    private mutating func add(_ node: YAMLNode, weight: Int, charge: Int, anchor: String?) -> Bool {
        totalWeight += charge
        if totalWeight > limits.maxNodes {
            diagnostics.append(Diagnostic(.aliasExpansion,
                                          "the document expands to more than \(limits.maxNodes) nodes through its aliases",
                                          file: file, at: node.start,
                                          help: "aliases ('*name') that repeat large anchors multiply; write the values out"))
            return false
        }
        if let anchor { anchors[anchor] = (node, weight) }
        guard !stack.isEmpty else {
            root = node
            return true
        }
        stack[stack.count - 1].items.append(node)
        stack[stack.count - 1].weight += weight
        return true
    }

    private mutating func checkDuplicateKeys(_ pairs: [YAMLPair]) {
        var seen: [String: SourceLocation] = [:]
        for pair in pairs {
            guard let key = pair.key.scalar?.text else { continue }
            if let first = seen[key] {
                diagnostics.append(Diagnostic(.duplicateKey, "duplicate key '\(key)'", file: file, at: pair.key.start,
                                              length: pair.key.width,
                                              help: "keep one '\(key)' and delete the other",
                                              notes: ["'\(key)' is first defined at line \(first.line), column \(first.column)"]))
            } else {
                seen[key] = pair.key.start
            }
        }
    }

    private mutating func reportParserError(_ parser: yaml_parser_t) {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        if parser.error == YAML_READER_ERROR {
            let at = locationOfByte(Int(parser.problem_offset))
            let isEncoding = problem.contains("UTF-8") || problem.contains("octet") || problem.contains("character")
            diagnostics.append(Diagnostic(isEncoding ? .invalidEncoding : .yamlSyntax,
                                          isEncoding ? "the file is not valid UTF-8 text (\(problem))" : problem,
                                          file: file, at: at,
                                          help: isEncoding ? "save the file as UTF-8" : nil))
            return
        }
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) {
            message = "\(problem) \(context)"
        }
        var notes: [String] = []
        if parser.context != nil {
            let c = location(parser.context_mark)
            notes.append("the construct began at line \(c.line), column \(c.column)")
        }
        diagnostics.append(Diagnostic(.yamlSyntax, message, file: file, at: location(parser.problem_mark),
                                      help: "check the indentation and the quotes around this point", notes: notes))
    }

    /// The line and scalar column of a byte offset (libyaml's reader errors give only an offset).
    private func locationOfByte(_ offset: Int) -> SourceLocation {
        var line = 1
        var column = 1
        var index = 0
        let limit = min(offset, bytes.count)
        while index < limit {
            let byte = bytes[index]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }
        return SourceLocation(line: line, column: column)
    }
}
