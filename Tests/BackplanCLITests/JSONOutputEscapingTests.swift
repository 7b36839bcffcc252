import Foundation
import Testing

/// JSON output is as safe for a terminal as text output: C1 controls, DEL and bidirectional controls
/// and marks inside strings are written as `\uXXXX`, and the JSON still decodes to the same strings.
@Suite struct JSONOutputEscapingTests {
    /// One of each: a C1 CSI, NEL, DEL, an override, an isolate pair, the LRM, RLM and ALM marks.
    static let keys = ["\u{9B}31mred", "\u{85}next", "del\u{7F}", "\u{202E}evil", "\u{2066}iso\u{2069}",
                       "\u{200E}lrm", "\u{200F}rlm", "\u{061C}alm"]

    static func isRaw(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
            || (0x2066...0x2069).contains(scalar.value) || [0x200E, 0x200F, 0x061C].contains(scalar.value)
    }

    @Test func checkEscapesThemAndTheyDecodeBack() throws {
        let dir = try TemporaryDirectory()
        let yamlKeys = Self.keys.map { key in
            "\"" + key.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F ? String($0)
                : String(format: "\\u%04X", $0.value) }.joined() + "\": 1"
        }
        try HostileInputTests.dailyLocal(dir, plan: { $0 + yamlKeys.joined(separator: "\n") + "\n" })
        let r = try Backplan.run(["check", "--format", "json", "plans/daily-local.yaml"], in: dir.path)
        #expect(r.status == 1)
        #expect(!r.stdout.unicodeScalars.contains(where: Self.isRaw), "raw controls in \(r.stdout.prefix(600))")
        #expect(r.stdout.contains("\\u009B31mred") && r.stdout.contains("\\u202Eevil") && r.stdout.contains("\\u061Calm"))
        let records = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        let messages = records.compactMap { $0["message"] as? String }
        for key in Self.keys {
            #expect(messages.contains { $0.contains("unknown key '\(key)'") }, "\(key.unicodeScalars.map(\.value)): \(messages)")
        }
    }

    @Test func detectJSONEscapesEntryNames() throws {
        let dir = try TemporaryDirectory()
        try dir.write("data/webui.db", "not a database")
        for key in Self.keys { try dir.write("data/" + key, "x") }
        let r = try Backplan.run(["detect", "--json", "--data-dir", dir.path + "/data"], in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.unicodeScalars.contains(where: Self.isRaw), "raw controls in \(r.stdout.prefix(600))")
        let deployment = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let names = (deployment["entries"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(Set(Self.keys).isSubset(of: Set(names)), "\(names)")
    }
}
