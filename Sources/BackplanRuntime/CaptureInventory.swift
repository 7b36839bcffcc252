import BackplanCore
import Foundation

/// What a capture (or the copy to a further target) wrote under a snapshot folder, file by file: the
/// manifest, the counts and verify take it from here instead of walking the snapshot and the previous one
/// again. Memory grows with the number of files (a path and a few numbers each), like the manifest itself.
public struct CaptureInventory: Sendable {
    /// One regular file written into the snapshot.
    public struct File: Sendable {
        public var bytes: Int64
        /// Device and inode of the previous snapshot's file this one is a hard link to, or nil (copied).
        public var linkedTo: FileIdentity?
        /// The SHA-256 started by the capture (a database copy, hashed while it is checked), or nil.
        public var hash: PendingHash?
    }

    /// How many files were linked and copied, and the time spent on them, summed over the copier's
    /// threads (`backplan run --timings`).
    public struct Times: Sendable {
        public var linked = 0
        public var copied = 0
        public var linkSeconds = 0.0
        public var copySeconds = 0.0
        /// The threads' whole time in the copier: the walk (listing, `fstatat`, folders) is this minus
        /// linking and copying.
        public var busySeconds = 0.0
    }

    /// Files by path relative to the snapshot folder (`data/uploads/a.txt`).
    public var files: [String: File] = [:]
    public var times = Times()

    public init() {}

    /// Adds what one of the copier's threads wrote.
    mutating func add(_ walk: TreeCopier.Walk) {
        files.reserveCapacity(files.count + walk.files.count)
        for (path, file) in walk.files { files[path] = file }
        times.linked += walk.times.linked
        times.copied += walk.times.copied
        times.linkSeconds += walk.times.linkSeconds
        times.copySeconds += walk.times.copySeconds
        times.busySeconds += walk.times.busySeconds
    }

    /// Files and bytes at or under `path` (relative to the snapshot folder).
    public func count(under path: String) -> (files: Int, bytes: Int64) {
        var files = 0, bytes: Int64 = 0
        let folder = path + "/"
        for (name, file) in self.files where name == path || name.hasPrefix(folder) {
            files += 1
            bytes += file.bytes
        }
        return (files, bytes)
    }
}

/// A file's device and inode: a hard link shares them.
public struct FileIdentity: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }

    /// The identity of `path` (not following a symbolic link), or nil.
    static func of(_ path: String) -> FileIdentity? {
        var st = stat()
        return PathBytes.withCString(path, { lstat($0, &st) }) == 0 ? FileIdentity(st) : nil
    }
}
