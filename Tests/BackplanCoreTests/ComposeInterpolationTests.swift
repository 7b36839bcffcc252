import Testing
@testable import BackplanCore

@Suite struct ComposeInterpolationTests {
    static let variables = ["TAG": "v1", "EMPTY": "", "HOME": "/root", "NESTED": "n"]

    @Test(arguments: [
        ("plain", "plain"),
        ("$TAG", "v1"),
        ("${TAG}", "v1"),
        ("image:${TAG}-x", "image:v1-x"),
        ("${MISSING-def}", "def"),
        ("${MISSING:-def}", "def"),
        ("${EMPTY-def}", ""),
        ("${EMPTY:-def}", "def"),
        ("${TAG:-def}", "v1"),
        ("${TAG+alt}", "alt"),
        ("${MISSING+alt}", ""),
        ("${EMPTY:+alt}", ""),
        ("${MISSING:-${NESTED}x}", "nx"),
        ("$$TAG", "$TAG"),
        ("a$$b", "a$b"),
        ("${TAG?needed}", "v1"),
        ("${EMPTY?needed}", ""),
        ("$HOME/data", "/root/data"),
        ("$TAG.x", "v1.x"),
    ])
    func expands(_ input: String, _ expected: String) {
        let (value, problems) = ComposeInterpolation.expand(input, variables: Self.variables)
        #expect(value == expected)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test(arguments: [
        ("${MISSING?tell me}", "required variable MISSING is not set: tell me", 0, true),
        ("x${EMPTY:?}", "required variable EMPTY is not set", 1, true),
        ("ab$MISSING", "variable MISSING is not set; it is replaced by an empty string", 2, false),
        ("${MISSING}", "variable MISSING is not set; it is replaced by an empty string", 0, false),
        ("cost 5$", "a '$' ends the value; write '$$' for a literal dollar sign", 6, true),
        ("a$ b", "'$' must be followed by a variable name or '{'; write '$$' for a literal dollar sign", 1, true),
        ("${TAG", "'${TAG' is not closed by '}'", 0, true),
        ("${1X}", "'${' must be followed by a variable name", 0, true),
        ("${TAG*x}", "invalid character in '${TAG...}': expected '}', '-', ':-', '+', ':+', '?' or ':?'", 0, true),
    ])
    func reportsProblems(_ input: String, _ message: String, _ offset: Int, _ isError: Bool) {
        let (_, problems) = ComposeInterpolation.expand(input, variables: Self.variables)
        #expect(problems == [ComposeInterpolation.Problem(message: message, offset: offset, isError: isError)])
    }

    @Test func unsetDefaultIsNotReportedWhenNotUsed() {
        let (value, problems) = ComposeInterpolation.expand("${TAG:-$OTHER}", variables: Self.variables)
        #expect(value == "v1")
        #expect(problems.isEmpty)
    }
}

@Suite struct ComposeEnvFileTests {
    @Test func parsesLinesQuotesAndComments() {
        let text = """
            # comment
            A=1
              B = two words  # trailing comment
            export C='single $x # kept'
            D="double\\nline \\"q\\""
            E=
            BARE
            UNSET_BARE
            A=override
            \r
            """
        let file = EnvFile(parsing: text, lookup: ["BARE": "from-shell"])
        #expect(file.values == ["A": "override", "B": "two words", "C": "single $x # kept", "D": "double\nline \"q\"",
                                "E": "", "BARE": "from-shell"])
        #expect(file.entries.map(\.key) == ["A", "B", "C", "D", "E", "BARE"])
        #expect(file.problems.isEmpty)
    }

    @Test func reportsBadLines() {
        let file = EnvFile(parsing: "OK=1\n9BAD=2\nnot a line\n")
        #expect(file.problems.map(\.line) == [2, 3])
    }

    /// 4,000 nested defaults overflowed the stack (a crash with signal 11); now one error, no recursion past the bound.
    @Test func deeplyNestedDefaultsAreRefusedNotRecursed() {
        let hostile = String(repeating: "${A:-", count: 4000) + "x" + String(repeating: "}", count: 4000)
        let (_, problems) = ComposeInterpolation.expand(hostile, variables: [:])
        #expect(problems.contains { $0.isError && $0.message == "interpolations are nested more than 32 deep" }, "\(problems.prefix(3))")
        let fine = String(repeating: "${A:-", count: 32) + "x" + String(repeating: "}", count: 32)
        let (value, none) = ComposeInterpolation.expand(fine, variables: [:])
        #expect(value == "x")
        #expect(none.isEmpty, "\(none)")
    }
}
