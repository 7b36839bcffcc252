import BackplanCore
import BackplanEmit
import BackplanRuntime
import Foundation
import Testing
import TestSupport

/// The run contract is written once (`RunContract`): the bash of every committed example library and of the
/// pull script must hold exactly its values, the runtime must use the same ones, and the bash record line
/// must be the runtime's, byte for byte. The library's one JSON escaper must give valid JSON for every
/// control byte.
@Suite struct RunContractTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Every committed library, and a pull script (standalone: it carries its own copy).
    static var scripts: [String] {
        let generated = root + "/generated"
        let plans = ((try? FileManager.default.contentsOfDirectory(atPath: generated)) ?? []).sorted()
        return plans.map { "\(generated)/\($0)/lib/backplan.sh" }.filter { FileManager.default.fileExists(atPath: $0) }
            + [root + "/Tests/BackplanEmitTests/Goldens/cron-units/pull-nas-pull.sh"]
    }

    /// Sources `file` (the pull script's `main` is not run: its last line is cut) and runs `body`.
    static func bash(_ file: String, _ body: String, _ arguments: [String] = []) throws -> CleanProcess.Result {
        var text = try String(contentsOfFile: file, encoding: .utf8)
        if text.hasSuffix("main \"$@\"\n") { text = String(text.dropLast("main \"$@\"\n".count)) }
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString).sh").path
        try text.write(toFile: copy, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        // A library reads STATE_DIR at its top (the restic cache); the scripts assign it before they source it.
        let prelude = "set -euo pipefail; STATE_DIR=/nonexistent; source \"$1\"; shift; "
        return CleanProcess.run("/bin/bash", ["-c", prelude + body, "bash", copy] + arguments)
    }

    @Test func theScriptsHoldTheContractOnce() throws {
        #expect(Self.scripts.count >= 5)
        for script in Self.scripts {
            let text = try String(contentsOfFile: script, encoding: .utf8)
            // A library holds every value once; the pull script those it reads (no unused variable), once.
            let held = RunContract.bashValues.filter { value in
                let count = text.components(separatedBy: "\nreadonly \(value.name)=").count - 1
                #expect(count <= 1, "\(script): readonly \(value.name) appears \(count) times")
                return count == 1
            }
            if script.hasSuffix(LibraryEmitter.path) { #expect(held.count == RunContract.bashValues.count, "\(script)") }
            #expect(held.contains { $0.name == "BP_ID_RE" }, "\(script)")
            let body = #"for n in "$@"; do printf '%s=%s\0' "$n" "${!n}"; done"#
            let result = try Self.bash(script, body, held.map(\.name))
            #expect(result.status == 0, "\(script): \(result.stderr)")
            let values = result.stdout.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
            #expect(values == held.map { "\($0.name)=\($0.value)" }, "\(script)")
        }
    }

    @Test func theRuntimeUsesTheContract() {
        #expect(SnapshotLayout.manifestName == RunContract.manifestFile)
        #expect(SnapshotLayout.recordName == RunContract.recordFile)
        #expect(QuiesceJournal.path(stateDir: "/s") == "/s/" + RunContract.quiesceJournal)
        #expect(SnapshotLayout(root: "/t", plan: "p").partialDirectory(job: "j", id: "20261127T031500Z")
            == "/t/p/j/.20261127T031500Z" + RunContract.partialSuffix)
        #expect(RunRecord.status(exit: 0) == "ok" && RunRecord.status(exit: 3) == "partial" && RunRecord.status(exit: 1) == "failed")
        // The pattern accepts what SnapshotTime parses, and SnapshotTime parses IDs only.
        let id = try? Regex(RunContract.idPattern)
        for text in ["20261127T031500Z", "20261127T031500z", "2026112T031500Z", ".20261127T031500Z.partial", "20261127T031500Z\r"] {
            #expect((try? id?.wholeMatch(in: text)) != nil ? SnapshotTime(id: text) != nil : SnapshotTime(id: text) == nil, "\(text)")
        }
    }

    /// bash's BP_LABEL_RE and `SnapshotLabel.isValid` agree on names at and around the edges of the pattern.
    @Test func theLabelPatternIsTheRuntimes() throws {
        let library = try #require(Self.scripts.first)
        let names = ["pre-upgrade", "a", "0", String(repeating: "a", count: 63), String(repeating: "a", count: 64), "", "-a",
                     "a-", "A", "pre_upgrade", "pre upgrade", "é", "a\nb", "../x", "a.b", "a/b", "9-9"]
        let body = #"for a in "$@"; do if [[ $a =~ $BP_LABEL_RE ]]; then printf '1'; else printf '0'; fi; done"#
        let result = try Self.bash(library, body, names)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == names.map { SnapshotLabel.isValid($0) ? "1" : "0" }.joined())
        #expect(result.stdout == "11110001000000001")
    }

    /// bp_label_states (sqlite3's JSON functions) reads the same label as `SnapshotLabel.of(record:)` from
    /// forged SNAPSHOT.json files; without sqlite3 (the NAS's pull script) it never calls a file with a
    /// label, or one it cannot read, unlabelled.
    @Test func theBashLabelReaderIsTheRuntimes() throws {
        let cases: [(record: String?, fallback: String)] = [
            (#"{"id":"x"}"#, "-"), (#"{"label":"pre-upgrade","id":"x"}"#, "pre-upgrade"), ("not json", "-"),
            (#"["label"]"#, "?"), (#"{"label":"../x"}"#, "?"), (#"{"label":7}"#, "?"), (#"{"label":null}"#, "?"),
            (#"{"\u006cabel":"a"}"#, "?"), (#"{"name":"label"}"#, "?"), (#"{"label":"a","x":{"label":"b"}}"#, "?"),
            (#"{"label":"a\nb"}"#, "?"), (#"{"label":"Pre"}"#, "?"), (nil, "?"),
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("labels-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var ids: [String] = []
        for (n, item) in cases.enumerated() {
            let id = String(format: "202001%02dT000000Z", n + 1)
            ids.append(id)
            try FileManager.default.createDirectory(atPath: folder + "/" + id, withIntermediateDirectories: true)
            try item.record?.write(toFile: folder + "/" + id + "/SNAPSHOT.json", atomically: true, encoding: .utf8)
        }
        let runtime = cases.map { item -> String in
            switch SnapshotLabel.of(record: item.record.map { Data($0.utf8) }) {
            case .none: "-"
            case .named(let name): name
            case .unreadable: "?"
            }
        }
        #expect(runtime == ["-", "pre-upgrade", "?", "?", "?", "?", "?", "a", "-", "a", "?", "?", "?"])
        // Every library holds the same function; the pull script's is run with and without sqlite3 on PATH.
        let tools = folder + "/tools"
        try FileManager.default.createDirectory(atPath: tools, withIntermediateDirectories: true)
        for tool in ["grep", "sed", "wc"] { try FileManager.default.createSymbolicLink(atPath: tools + "/" + tool, withDestinationPath: "/usr/bin/" + tool) }
        for script in Self.scripts {
            let withSQLite = try Self.bash(script, #"bp_label_states "$@""#, [folder] + ids)
            #expect(withSQLite.stdout == zip(ids, runtime).map { "\($0) \($1)\n" }.joined(), "\(script): \(withSQLite.stdout)\(withSQLite.stderr)")
        }
        // Two label keys: the script cannot read the label, the runtime takes the last; both keep it.
        let duplicate = #"{"label":"a","label":"b"}"#
        #expect(SnapshotLabel.of(record: Data(duplicate.utf8)).keeps)
        try FileManager.default.createDirectory(atPath: folder + "/20200201T000000Z", withIntermediateDirectories: true)
        try duplicate.write(toFile: folder + "/20200201T000000Z/SNAPSHOT.json", atomically: true, encoding: .utf8)
        let twice = try Self.bash(try #require(Self.scripts.first), #"bp_label_states "$@""#, [folder, "20200201T000000Z"])
        #expect(twice.stdout == "20200201T000000Z ?\n", "\(twice.stdout)\(twice.stderr)")
        let pull = try #require(Self.scripts.last)
        let without = try Self.bash(pull, "PATH=\(Shell.quote(tools)); bp_label_states \"$@\"", [folder] + ids)
        #expect(without.stdout == zip(ids, cases).map { "\($0) \($1.fallback)\n" }.joined(), "\(without.stdout)\(without.stderr)")
    }

    /// bash's runs.jsonl line (BP_RUN_FORMAT, as bp_record fills it) is the line the runtime writes for the same run.
    @Test(arguments: [false, true])
    func theBashRecordIsTheRuntimes(failed: Bool) throws {
        let library = try #require(Self.scripts.first)
        let body = #"""
            error=''
            label=''
            if [[ $1 == 1 ]]; then error="\"error\":$(bp_json_string $'disk full\tat "x"'),"; label='"label":"pre-upgrade",'; fi
            targets="{\"error\":$(bp_json_string 'not attempted'),\"name\":$(bp_json_string 'nas \ 1'),\"status\":\"failed\"}"
            # shellcheck disable=SC2059
            printf "$BP_RUN_FORMAT" 1234 56 "$error" 3 7 2026-11-27T03:15:09Z 20261127T031500Z "$(bp_json_string 'daily')" \
              "$label" "$(bp_json_string 'plén')" 2026-11-27T03:15:00Z partial "$targets"
            """#
        let result = try Self.bash(library, body, [failed ? "1" : "0"])
        #expect(result.status == 0, "\(result.stderr)")
        let record = try JSONDecoder().decode(RunRecord.self, from: Data(result.stdout.utf8))
        #expect(record.error == (failed ? "disk full\tat \"x\"" : nil))
        #expect(record.label == (failed ? "pre-upgrade" : nil))
        #expect(record.plan == "plén" && record.targets.first?.name == #"nas \ 1"#)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: try encoder.encode(record), as: UTF8.self) == result.stdout)
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]).keys.sorted()
        #expect(keys == RunContract.RunField.allCases.map(\.rawValue).filter { failed || ($0 != "error" && $0 != "label") })
    }

    /// Every byte 1-127 (alone, and inside text) and UTF-8 text: bp_json_string's output decodes to the input.
    @Test func theJSONEscaperGivesValidJSONForEveryControlByte() throws {
        var inputs = (1...127).map { String(UnicodeScalar(UInt8($0))) }
        inputs += (1...31).map { "a\(String(UnicodeScalar(UInt8($0))))b\\\"c" }
        inputs += [String((1...31).map { Character(UnicodeScalar(UInt8($0))) }), "plän ✓ 日本", "&\\&", ""]
        let body = #"sep=''; printf '['; for a in "$@"; do printf '%s%s' "$sep" "$(bp_json_string "$a")"; sep=,; done; printf ']'"#
        var functions: [String] = []
        for script in Self.scripts {
            let result = try Self.bash(script, body, inputs)
            #expect(result.status == 0, "\(script): \(result.stderr)")
            let decoded = try JSONDecoder().decode([String].self, from: Data(result.stdout.utf8))
            #expect(decoded == inputs, "\(script)")
            functions.append(try Self.bash(script, "declare -f bp_json_string").stdout)
        }
        // One function: the libraries and the standalone pull script hold the same text.
        #expect(Set(functions).count == 1)
    }
}
