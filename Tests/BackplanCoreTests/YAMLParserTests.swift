import BackplanCore
import Testing

@Suite struct YAMLParserTests {
    @Test func keysAndValuesCarryTheirPositions() throws {
        let source = MarkedSource("""
            1️⃣name: 2️⃣openwebui
            jobs:
              3️⃣daily: {4️⃣schedule: "5️⃣*-*-* 03:15"}
            list: [6️⃣a, 7️⃣é, 8️⃣b]
            """)
        let doc = YAMLParser.parse(source.text, file: "t.yaml")
        #expect(doc.diagnostics.isEmpty)
        let root = try #require(doc.root?.mapping)
        #expect(root[0].key.start == source.locations["1️⃣"])
        #expect(root[0].value.start == source.locations["2️⃣"])
        let daily = try #require(root[1].value.mapping?.first)
        #expect(daily.key.start == source.locations["3️⃣"])
        let schedule = try #require(daily.value.mapping?.first)
        #expect(schedule.key.start == source.locations["4️⃣"])
        // A quoted scalar starts at its opening quote, one column before the text.
        #expect(schedule.value.start.column == source.locations["5️⃣"]!.column - 1)
        #expect(schedule.value.scalar?.style == .doubleQuoted)
        let items = try #require(root[2].value.sequence)
        // Columns count Unicode scalars: 'é' is one column although it is two bytes.
        #expect(items.map(\.start) == [source.locations["6️⃣"], source.locations["7️⃣"], source.locations["8️⃣"]])
    }

    @Test(arguments: ["yes", "no", "on", "off", "y", "n", "true", "012", "0x1F", "1e3", "~"])
    func scalarsStayStrings(_ word: String) throws {
        let doc = YAMLParser.parse("key: \(word)\n", file: "t.yaml")
        #expect(doc.root?["key"]?.scalar?.text == word)
    }

    @Test func duplicateKeysAreReportedAtTheSecondKey() {
        let source = MarkedSource("""
            a: 1
            b:
              c: 1
              1️⃣c: 2
            2️⃣a: 3
            """)
        let doc = YAMLParser.parse(source.text, file: "t.yaml")
        expectDiagnostics(doc.diagnostics, in: source, ["1️⃣": .duplicateKey, "2️⃣": .duplicateKey])
        #expect(doc.diagnostics.sorted().first?.notes.first?.contains("line 3") == true)
    }

    @Test(arguments: [
        ("a: [1, 2\nb: 3\n", 2),
        ("a: 'unterminated\n", 2),
        ("a:\n  b: 1\n c: 2\n", 3),
        ("a: b: c\n", 1),
        ("- a\nb: 1\n", 2),
        ("\ta: 1\n", 1),
    ])
    func syntaxErrorsHaveALine(_ text: String, _ line: Int) throws {
        let doc = YAMLParser.parse(text, file: "t.yaml")
        let d = try #require(doc.diagnostics.first)
        #expect(d.code == .yamlSyntax)
        #expect(d.location?.line == line)
        #expect(doc.root == nil)
    }

    @Test func invalidUTF8IsLocated() throws {
        var bytes = Array("name: ok\nbad: ".utf8)
        bytes += [0xFF, 0x28, 0x0A]
        let doc = YAMLParser.parse(bytes, file: "t.yaml")
        let d = try #require(doc.diagnostics.first)
        #expect(d.code == .invalidEncoding)
        #expect(d.location == Position(line: 2, column: 6))
    }

    @Test func billionLaughsIsRefusedQuickly() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 {
            text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let doc = YAMLParser.parse(text, file: "bomb.yaml")
        #expect(doc.root == nil)
        #expect(doc.diagnostics.map(\.code) == [.aliasExpansion])
    }

    @Test func smallAliasesWork() throws {
        let doc = YAMLParser.parse("base: &r {keep_daily: 7}\njob: *r\n", file: "t.yaml")
        #expect(doc.diagnostics.isEmpty)
        #expect(doc.root?["job"]?["keep_daily"]?.scalar?.text == "7")
    }

    @Test func undefinedAliasIsAnError() throws {
        let doc = YAMLParser.parse("a: *nowhere\n", file: "t.yaml")
        #expect(doc.diagnostics.first?.code == .yamlSyntax)
        #expect(doc.diagnostics.first?.location == Position(line: 1, column: 4))
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let doc = YAMLParser.parse(deep, file: "t.yaml")
        #expect(doc.diagnostics.map(\.code) == [.nestingTooDeep])
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(YAMLParser.parse(ok, file: "t.yaml").diagnostics.isEmpty)
    }

    @Test func hugeDocumentsAreRefusedBeforeParsing() {
        let big = [UInt8](repeating: UInt8(ascii: "#"), count: (1 << 20) + 1)
        let doc = YAMLParser.parse(big, file: "big.yaml")
        #expect(doc.diagnostics.map(\.code) == [.documentTooLarge])
        #expect(doc.diagnostics.first?.location == nil)
    }

    @Test func aSecondDocumentIsRefused() {
        let doc = YAMLParser.parse("a: 1\n---\nb: 2\n", file: "t.yaml")
        #expect(doc.diagnostics.map(\.code) == [.multipleDocuments])
        #expect(doc.diagnostics.first?.location?.line == 2)
    }

    @Test(arguments: ["", "\n\n", "# only a comment\n"])
    func emptyDocuments(_ text: String) {
        let doc = YAMLParser.parse(text, file: "t.yaml")
        #expect(doc.root == nil)
        #expect(doc.diagnostics.map(\.code) == [.emptyDocument])
    }

    @Test func longFlatListsParseInLinearTime() {
        let text = "items: [" + Array(repeating: "x", count: 50_000).joined(separator: ", ") + "]\n"
        let doc = YAMLParser.parse(text, file: "t.yaml")
        #expect(doc.diagnostics.isEmpty)
        #expect(doc.root?["items"]?.sequence?.count == 50_000)
    }
}
