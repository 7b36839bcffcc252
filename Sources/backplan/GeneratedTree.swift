import BackplanCore
import BackplanEmit
import Foundation

/// The files of `generated/<plan>/` on disk: compared with what a plan compiles to, and brought in line.
struct GeneratedTree {
    /// `generated/<plan>`.
    let directory: String

    enum Difference: Equatable {
        case missing(String)
        case changed(String, diff: [String])
        case mode(String, executable: Bool)
        case extra(String)
    }

    /// Every regular file below the folder, relative to it, sorted.
    func existingFiles() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let item = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory + "/" + item, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(item)
            }
        }
        return files.sorted()
    }

    func differences(from expected: [GeneratedFile]) -> [Difference] {
        var result: [Difference] = []
        for file in expected {
            let path = directory + "/" + file.path
            guard let data = FileManager.default.contents(atPath: path) else {
                result.append(.missing(file.path))
                continue
            }
            if data != Data(file.contents.utf8) {
                let actual = String(decoding: data, as: UTF8.self)
                result.append(.changed(file.path, diff: Self.shortDiff(expected: file.contents, actual: actual)))
            } else if FileManager.default.isExecutableFile(atPath: path) != file.executable {
                result.append(.mode(file.path, executable: file.executable))
            }
        }
        let wanted = Set(expected.map(\.path))
        result += existingFiles().filter { !wanted.contains($0) }.map { .extra($0) }
        return result
    }

    /// Writes the files whose bytes or mode differ and removes files no longer produced.
    /// Returns the paths written and removed, relative to the folder.
    func update(to expected: [GeneratedFile]) throws -> (written: [String], removed: [String]) {
        var written: [String] = []
        var removed: [String] = []
        for difference in differences(from: expected) {
            switch difference {
            case .missing(let path), .changed(let path, _), .mode(let path, _):
                let file = expected.first { $0.path == path }!
                let url = URL(fileURLWithPath: directory + "/" + path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                if case .mode = difference {} else { try Data(file.contents.utf8).write(to: url, options: .atomic) }
                try FileManager.default.setAttributes([.posixPermissions: file.executable ? 0o755 : 0o644], ofItemAtPath: url.path)
                written.append(path)
            case .extra(let path):
                try FileManager.default.removeItem(atPath: directory + "/" + path)
                removed.append(path)
            }
        }
        removeEmptyFolders()
        return (written, removed)
    }

    private func removeEmptyFolders() {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return }
        var folders: [String] = []
        while let item = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory + "/" + item, isDirectory: &isDirectory), isDirectory.boolValue {
                folders.append(directory + "/" + item)
            }
        }
        for folder in folders.sorted(by: >) where (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty == true {
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    /// The first differing lines, as `-expected` / `+actual`, with their line number.
    static func shortDiff(expected: String, actual: String, context: Int = 3) -> [String] {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var first = 0
        while first < min(e.count, a.count), e[first] == a[first] { first += 1 }
        var lines = ["at line \(first + 1):"]
        lines += e[first..<min(e.count, first + context)].map { "-\($0)" }
        lines += a[first..<min(a.count, first + context)].map { "+\($0)" }
        return lines
    }

    /// Plan folders under `generated/` that no plan in `names` produces.
    static func orphans(in root: String, keeping names: Set<String>) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return entries.filter { entry in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + entry, isDirectory: &isDirectory)
                && isDirectory.boolValue && !names.contains(entry) && !entry.hasPrefix(".")
        }.sorted()
    }
}
