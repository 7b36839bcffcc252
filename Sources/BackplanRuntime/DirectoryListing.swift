import BackplanCore
import Foundation

/// The names in a folder, read with `readdir` so that a name that is not UTF-8 keeps its bytes
/// (`PathBytes`): the capture copies them and verify compares them with the manifest.
enum DirectoryListing {
    /// The names in folder `path` (without `.` and `..`), sorted by bytes; nil when it cannot be read
    /// (`errno` says why).
    static func names(in path: String) -> [String]? {
        guard let dir = PathBytes.withCString(path, { opendir($0) }) else { return nil }
        return names(dir)
    }

    /// The names in the open folder `fd` (read through a descriptor of its own; `fd` stays open), in the
    /// order `readdir` gives them (the capture's order does not matter: it records by path).
    static func names(at fd: Int32) -> [String]? {
        let own = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard own >= 0 else { return nil }
        guard let dir = fdopendir(own) else {
            close(own)
            return nil
        }
        return names(dir, sorted: false)
    }

    /// Reads and closes `dir`.
    private static func names(_ dir: OpaquePointer, sorted: Bool = true) -> [String] {
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                PathBytes.string(raw.prefix { $0 != 0 })
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return sorted ? names.sorted(by: PathBytes.byteOrder) : names
    }
}
