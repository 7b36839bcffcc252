import Foundation

/// Looks at a data dir without changing it: its top-level entries with type, size, file count and
/// kind (SQLite by header, ChromaDB by `chroma.sqlite3`, SQLite sidecars, plain files).
///
/// Folders are walked with `opendir`/`lstat`, never following symlinks and never reading file
/// contents beyond a SQLite header.
public enum DataDirProbe {
    /// The entries of the folder at the local path `directory`, sorted by name (plain `<`).
    public static func entries(of directory: String) -> [DataEntry] {
        let names = (listing(directory) ?? []).sorted()
        var entries: [DataEntry] = names.map { probe(directory + "/" + $0, name: $0) }
        let databases = Set(entries.filter { $0.kind == .sqlite }.map(\.name))
        let present = Set(names)
        for index in entries.indices {
            let name = entries[index].name
            if databases.contains(name) {
                let sidecars = SQLiteFile.sidecarSuffixes.map { name + $0 }.filter(present.contains)
                entries[index].sidecars = sidecars.sorted()
            } else if let suffix = SQLiteFile.sidecarSuffixes.first(where: { name.hasSuffix($0) }),
                      databases.contains(String(name.dropLast(suffix.count))) {
                entries[index].kind = .sqliteSidecar
            }
        }
        return entries
    }

    /// One entry at local path `path`.
    static func probe(_ path: String, name: String) -> DataEntry {
        var info = stat()
        guard lstat(path, &info) == 0 else { return DataEntry(name: name, type: .other, kind: .files) }
        let type = EntryType(mode: info.st_mode)
        switch type {
        case .file:
            var entry = DataEntry(name: name, type: .file, kind: .files, bytes: Int64(info.st_size), files: 1)
            guard access(path, R_OK) == 0 else {
                entry.unreadable = [name]
                return entry
            }
            if let header = SQLiteFile.header(atPath: path) {
                entry.kind = .sqlite
                entry.journalMode = header.journalMode
            }
            return entry
        case .directory:
            let walk = totals(path, as: name)
            let isChroma = SQLiteFile.header(atPath: path + "/chroma.sqlite3") != nil
            var entry = DataEntry(name: name, type: .directory, kind: isChroma ? .chroma : .files, bytes: walk.bytes, files: walk.files)
            if !walk.unreadable.isEmpty { entry.unreadable = walk.unreadable.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
            return entry
        case .symlink, .other:
            return DataEntry(name: name, type: type, kind: .files)
        }
    }

    /// Bytes and regular-file count under a folder, recursively, without following symlinks; and the
    /// folders that cannot be listed and files that cannot be read, as `prefix/…`.
    static func totals(_ directory: String, as prefix: String) -> (bytes: Int64, files: Int, unreadable: [String]) {
        var bytes: Int64 = 0
        var files = 0
        var unreadable: [String] = []
        var pending = [(directory, prefix)]
        while let (folder, relative) = pending.popLast() {
            guard let names = listing(folder) else {
                unreadable.append(relative)
                continue
            }
            for name in names {
                let path = folder + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFREG:
                    bytes += Int64(info.st_size)
                    files += 1
                    if access(path, R_OK) != 0 { unreadable.append(relative + "/" + name) }
                case S_IFDIR:
                    pending.append((path, relative + "/" + name))
                default:
                    break
                }
            }
        }
        return (bytes, files, unreadable)
    }

    /// Names in a folder, without `.` and `..`; nil when it cannot be read.
    static func listing(_ directory: String) -> [String]? {
        guard let dir = opendir(directory) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
