import Foundation

/// Opens only regular files: a fifo or a device named where a file is expected must never block a
/// command or feed it endless bytes.
public enum RegularFile {
    /// Why a path could not be opened as a regular file.
    public enum Refusal: Error, Sendable, Hashable {
        /// open(2) failed; the errno.
        case cannotOpen(Int32)
        /// It is not a regular file (a fifo, device, socket, folder, or a link with `followLinks: false`).
        case notRegular(EntryType)

        /// The reason as a phrase for a message ("it is not a regular file (a fifo or a device)").
        public var phrase: String {
            switch self {
            case .cannotOpen(let code):
                code == ENOENT ? "no such file"
                    : code == EACCES ? "cannot read it (permission denied)"
                    : code == ELOOP ? "it is a symbolic link" : "cannot open it (\(String(cString: strerror(code))))"
            case .notRegular(let type):
                switch type {
                case .directory: "it is a folder, not a file"
                case .symlink: "it is a symbolic link"
                case .file, .other: "it is not a regular file (a fifo, socket or device)"
                }
            }
        }
    }

    /// A read-only descriptor of the regular file at `path` (close-on-exec, blocking again after the
    /// check). Opened with O_NONBLOCK so a fifo cannot block the open; fstat decides.
    public static func open(_ path: String, followLinks: Bool = true) -> Result<Int32, Refusal> {
        let flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW)
        let fd = PathBytes.withCString(path) { Foundation.open($0, flags) }
        guard fd >= 0 else { return .failure(.cannotOpen(errno)) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            return .failure(.cannotOpen(code))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return .failure(.notRegular(EntryType(mode: info.st_mode)))
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return .success(fd)
    }
}
