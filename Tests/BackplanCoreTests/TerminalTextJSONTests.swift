import BackplanCore
import Foundation
import Testing

/// `TerminalText.escapeJSON` over every scalar up to U+3000, as JSONEncoder and JSONSerialization write
/// them: nothing a terminal acts on stays raw, and the JSON decodes to the same strings.
@Suite struct TerminalTextJSONTests {
    static let scalars = (0...0x3000).compactMap(Unicode.Scalar.init)

    static func mustBeEscaped(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
            || (0x2066...0x2069).contains(scalar.value) || [0x200E, 0x200F, 0x061C].contains(scalar.value)
    }

    @Test(arguments: ["encoder", "serialization"])
    func everyScalarRoundTrips(writer: String) throws {
        let strings = Self.scalars.map { "a" + String($0) + "b" }
        let data: Data
        if writer == "encoder" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            data = try encoder.encode(["key\u{9B}": strings])
        } else {
            data = try JSONSerialization.data(withJSONObject: ["key\u{9B}": strings], options: [.sortedKeys])
        }
        let escaped = TerminalText.escapeJSON(String(decoding: data, as: UTF8.self))
        #expect(!escaped.unicodeScalars.contains { Self.mustBeEscaped($0) || ($0.value < 0x20 && $0 != "\n") })
        #expect(escaped.contains("\"key\\u009B\"") && escaped.contains("a\\u202Eb") && escaped.contains("a\\u007Fb"))
        let decoded = try JSONDecoder().decode([String: [String]].self, from: Data(escaped.utf8))
        #expect(decoded == ["key\u{9B}": strings])
    }

    @Test func jsonWithoutSuchScalarsIsUnchanged() {
        let json = "{\n  \"a\" : \"é ü 中 \\u001B\"\n}"
        #expect(TerminalText.escapeJSON(json) == json)
    }
}
