import Foundation

/// Host paths as the host sees them, and where to read them on this machine.
///
/// Without a root, a host path is read where it is. With `--root DIR`, every absolute host path is
/// read under DIR (`/opt/x` → `DIR/opt/x`) while the path recorded in a `Deployment` stays `/opt/x`.
/// Relative paths given by the user are taken against `currentDirectory`, which is `/` under a root.
public struct HostFileSystem: Sendable {
    /// The folder standing in for `/`, or nil for the real host.
    public var root: String?
    /// The host's current directory, for relative paths the user gives.
    public var currentDirectory: String

    public init(root: String?, currentDirectory: String? = nil) {
        self.root = root.map { HostPath.normalize(HostPath.absolute($0, against: FileManager.default.currentDirectoryPath)) }
        self.currentDirectory = currentDirectory ?? (root == nil ? FileManager.default.currentDirectoryPath : "/")
    }

    /// The host path of a path the user typed (relative to the current directory).
    public func hostPath(_ path: String) -> String {
        HostPath.normalize(HostPath.absolute(path, against: currentDirectory))
    }

    /// Where the host path `path` is read on this machine.
    public func localPath(_ hostPath: String) -> String {
        guard let root else { return hostPath }
        return root == "/" ? hostPath : root + hostPath
    }

    /// What is at a host path, without following a final symlink.
    public func fileType(_ hostPath: String) -> EntryType? {
        var info = stat()
        guard lstat(localPath(hostPath), &info) == 0 else { return nil }
        return EntryType(mode: info.st_mode)
    }

    /// Whether a host path is a folder, following symlinks.
    public func isDirectory(_ hostPath: String) -> Bool {
        var info = stat()
        guard stat(localPath(hostPath), &info) == 0 else { return false }
        return info.st_mode & S_IFMT == S_IFDIR
    }

    public func exists(_ hostPath: String) -> Bool {
        var info = stat()
        return lstat(localPath(hostPath), &info) == 0
    }

    /// Where the symbolic link at a host path points, as written in the link; nil when it is no link.
    public func linkTarget(_ hostPath: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(localPath(hostPath), &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Reads a whole small file (a compose or env file). The failure is a sentence for a diagnostic.
    public func read(_ hostPath: String) -> Result<[UInt8], FileReadFailure> {
        let fd: Int32
        switch RegularFile.open(localPath(hostPath)) {
        case .success(let opened): fd = opened
        case .failure(let refusal): return .failure(FileReadFailure(reason: refusal.phrase))
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            let data = try handle.read(upToCount: 4 << 20) ?? Data()
            return .success([UInt8](data))
        } catch {
            return .failure(FileReadFailure(reason: "reading failed (\(error.localizedDescription))"))
        }
    }
}

/// Why a file could not be read, as a phrase ("no such file").
public struct FileReadFailure: Error, Sendable, Hashable {
    public var reason: String
}

extension EntryType {
    /// The type of a `stat` mode.
    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .file
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink
        default: self = .other
        }
    }
}

/// Lexical operations on POSIX paths (no disk access).
public enum HostPath {
    /// `path` made absolute against `base` when relative.
    public static func absolute(_ path: String, against base: String) -> String {
        path.hasPrefix("/") ? path : base + "/" + path
    }

    /// Removes `.`, `..` and repeated slashes; keeps a leading `/`; never climbs above `/`.
    public static func normalize(_ path: String) -> String {
        let isAbsolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !isAbsolute {
                    parts.append(part)
                }
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if isAbsolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// The folder holding `path` (`/a/b` → `/a`, `/a` → `/`).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let head = String(path[..<slash])
        return head.isEmpty ? "/" : head
    }

    /// The last component of `path`.
    public static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
