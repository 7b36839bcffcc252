import BackplanCore
import Foundation

/// Copies one regular file's bytes and attributes: `copy_file_range(2)` (in-kernel, reflinks where the
/// file system can), falling back to 1 MiB read/write loops.
enum TreeCopierFile {
    private typealias CopyRange = @convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32, UnsafeMutablePointer<Int64>?, Int, UInt32) -> Int
    /// glibc's copy_file_range, looked up once (the Glibc module does not always export it).
    private static let copyRange: CopyRange? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "copy_file_range") else { return nil }
        return unsafeBitCast(symbol, to: CopyRange.self)
    }()

    /// Copies `name` of the open folder `sourceFolder` to a new file `name` in `destinationFolder` (`paths`:
    /// the two folders' paths, for messages); returns the bytes copied, nil when the source vanished
    /// before it could be opened.
    static func copy(_ name: String, _ st: stat, from sourceFolder: Int32, to destinationFolder: Int32,
                     paths: (source: String, destination: String)) throws -> Int64? {
        let input = PathBytes.withCString(name) { openat(sourceFolder, $0, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        guard input >= 0 else {
            if errno == ENOENT { return nil }
            throw RunError("capture: cannot read \(PathBytes.display(paths.source + "/" + name)): \(TreeCopier.errorText())")
        }
        defer { close(input) }
        let output = PathBytes.withCString(name) { name in
            unlinkat(destinationFolder, name, 0)
            return openat(destinationFolder, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        }
        guard output >= 0 else { throw RunError("capture: cannot create \(PathBytes.display(paths.destination + "/" + name)): \(TreeCopier.errorText())") }
        defer { close(output) }
        let source = paths.source + "/" + name
        var bytes = copyInKernel(input, output)
        if bytes == nil {
            bytes = try copyByReading(input, output, source: source)
        }
        if geteuid() == 0 { fchown(output, st.st_uid, st.st_gid) }
        fchmod(output, st.st_mode & 0o7777)
        var times = [st.st_atim, st.st_mtim]
        futimens(output, &times)
        return bytes
    }

    /// The bytes copy_file_range copied, or nil when it failed (the caller copies again by reading).
    private static func copyInKernel(_ input: Int32, _ output: Int32) -> Int64? {
        guard let copyRange else { return nil }
        var copied: Int64 = 0
        while true {
            let n = copyRange(input, nil, output, nil, 1 << 30, 0)
            if n > 0 { copied += Int64(n); continue }
            if n == 0 { return copied }
            if errno == EINTR { continue }
            return nil
        }
    }

    /// Copies from the start of `input` by read/write; returns the bytes copied.
    private static func copyByReading(_ input: Int32, _ output: Int32, source: String) throws -> Int64 {
        lseek(input, 0, SEEK_SET)
        ftruncate(output, 0)
        lseek(output, 0, SEEK_SET)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var copied: Int64 = 0
        while true {
            let n = read(input, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw RunError("capture: cannot read \(PathBytes.display(source)): \(TreeCopier.errorText())") }
            if n == 0 { return copied }
            copied += Int64(n)
            var offset = 0
            while offset < n {
                let w = buffer[offset..<n].withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else { throw RunError("capture: cannot write a copy of \(PathBytes.display(source)): \(TreeCopier.errorText())") }
                offset += w
            }
        }
    }
}
