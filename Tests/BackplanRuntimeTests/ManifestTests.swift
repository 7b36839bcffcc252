import BackplanCore
@testable import BackplanRuntime
import Foundation
import Testing
import TestSupport

@Suite struct ManifestTests {
    /// Names sha256sum escapes (a backslash, a line break, a carriage return) and a name that is not UTF-8.
    static let oddNames: [[UInt8]] = [Array("a.txt".utf8), Array("back\\slash".utf8), Array("line\nbreak".utf8),
                                      Array("carriage\rreturn".utf8), [0x6C, 0x61, 0x74, 0x69, 0x6E, 0xE9, 0x2E, 0x74, 0x78, 0x74]]

    /// ManifestFile writes the bytes the job script writes (sha256sum, then `sort -k 2` in the C locale),
    /// `sha256sum -c` accepts them, and reading them back gives every path and hash.
    @Test func theManifestIsWhatSha256sumWritesAndReadsBack() throws {
        let dir = try TemporaryFolder()
        try FileManager.default.createDirectory(atPath: dir.path + "/data/b", withIntermediateDirectories: true)
        try Data(repeating: 7, count: 3 << 20).write(to: URL(fileURLWithPath: dir.path + "/data/b/big.bin"))
        var hashes: [(path: String, sha256: String)] = []
        for (index, name) in Self.oddNames.enumerated() {
            let path = PathBytes.string(Array("data/".utf8) + name)
            let fd = PathBytes.withCString(dir.path + "/" + path) { open($0, O_WRONLY | O_CREAT | O_EXCL, 0o644) }
            #expect(fd >= 0)
            _ = Array("file \(index)\n".utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            hashes.append((path, try FileHash.sha256(dir.path + "/" + path)))
        }
        hashes.append(("data/b/big.bin", try FileHash.sha256(dir.path + "/data/b/big.bin")))
        let written = ManifestFile.data(hashes)
        try written.write(to: URL(fileURLWithPath: dir.path + "/MANIFEST.sha256"))

        let check = CleanProcess.run("/bin/bash", ["-c", #"cd -- "$1" && sha256sum -c --strict --quiet MANIFEST.sha256"#, "bash", dir.path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let script = CleanProcess.run("/bin/bash", ["-c", #"cd -- "$1" && find data -type f -print0 | xargs -0 sha256sum -- | LC_ALL=C sort -k 2 >"$2""#,
                                                   "bash", dir.path, dir.path + "/script.manifest"])
        #expect(script.status == 0, "\(script.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/script.manifest")) == written, "the job script's manifest differs")

        let (entries, bad) = try ManifestFile.entries(in: dir.path)
        #expect(bad.isEmpty)
        #expect(Dictionary(uniqueKeysWithValues: entries.map { ($0.path, $0.sha256) })
                == Dictionary(uniqueKeysWithValues: hashes.map { ($0.path, $0.sha256) }))
        #expect(String(decoding: written.prefix(80), as: UTF8.self).contains("  data/a.txt\n"))
    }

    /// Valid UTF-8 is held as itself; other bytes (and U+FFFF itself) round-trip through a PathBytes string.
    @Test func pathBytesRoundTrip() {
        let samples: [[UInt8]] = [Array("plain/ü.txt".utf8), [0xFF], [0x61, 0xC3], [0xC3, 0x28, 0xE2, 0x82], Array("\u{FFFF}x".utf8),
                                  [0xEF, 0xBF, 0xBF, 0xFF, 0xEF, 0xBF, 0xBF], [0xED, 0xA0, 0x80]]
        for bytes in samples {
            #expect(PathBytes.bytes(PathBytes.string(bytes)) == bytes, "\(bytes)")
        }
        #expect(PathBytes.string(Array("plain/ü.txt".utf8)) == "plain/ü.txt")
        #expect(PathBytes.display(PathBytes.string([0x6C, 0xE9, 0x0A])) == "l\\xE9\\n")
        #expect(PathBytes.byteOrder(PathBytes.string([0x61, 0xFF]), "a\u{100}") == ([0x61, 0xFF] as [UInt8]).lexicographicallyPrecedes(Array("a\u{100}".utf8)))
    }
}
