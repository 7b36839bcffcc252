import BackplanCore
import Foundation

/// The names in a folder, read with `readdir` so that a name that is not UTF-8 keeps its bytes
/// (`PathBytes`): the capture copies them and verify compares them with the manifest.
enum DirectoryListing {
    /// The names in folder `path` (without `.` and `..`), sorted by bytes; nil when it cannot be read
    /// (`errno` says why).
    static func names(in path: String) -> [String]? {
        guard let dir = PathBytes.withCString(path, { opendir($0) }) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                PathBytes.string(raw.prefix { $0 != 0 })
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted(by: PathBytes.byteOrder)
    }
}
