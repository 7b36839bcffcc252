import Foundation

/// `exclude` patterns with rsync's glob semantics, as far as plans use them: a pattern without `/` is
/// matched (fnmatch) against the basename at any depth (`*.part`, `*.tmp`, `cache`); a leading `/`
/// anchors it to the copy's root (`/chroma.sqlite3`); another `/` inside matches the relative path or any
/// tail of it starting at a folder boundary; a trailing `/` matches folders only; `**` crosses folders.
public struct TreeCopierExclude: Sendable, Hashable {
    struct Pattern: Sendable, Hashable {
        var glob: String
        var anchored: Bool
        var hasSlash: Bool
        var directoryOnly: Bool
        var crossesFolders: Bool
    }

    var patterns: [Pattern]

    public init(_ patterns: [String]) {
        self.patterns = patterns.filter { !$0.isEmpty }.map { raw in
            var glob = raw
            let directoryOnly = glob.hasSuffix("/") && glob.count > 1
            if directoryOnly { glob.removeLast() }
            let anchored = glob.hasPrefix("/")
            if anchored { glob.removeFirst() }
            return Pattern(glob: glob, anchored: anchored, hasSlash: glob.contains("/"), directoryOnly: directoryOnly,
                           crossesFolders: glob.contains("**"))
        }
    }

    /// True when `relative` (a path under the copy's root, no leading `/`) is excluded.
    public func excludes(_ relative: String, isDirectory: Bool) -> Bool {
        patterns.contains { matches($0, relative, isDirectory: isDirectory) }
    }

    private func matches(_ pattern: Pattern, _ relative: String, isDirectory: Bool) -> Bool {
        if pattern.directoryOnly && !isDirectory { return false }
        let flags: Int32 = pattern.crossesFolders ? 0 : FNM_PATHNAME
        if pattern.anchored { return fnmatch(pattern.glob, relative, flags) == 0 }
        if !pattern.hasSlash {
            let base = relative.split(separator: "/").last.map(String.init) ?? relative
            return fnmatch(pattern.glob, base, 0) == 0
        }
        var tail = Substring(relative)
        while true {
            if fnmatch(pattern.glob, String(tail), flags) == 0 { return true }
            guard let slash = tail.firstIndex(of: "/") else { return false }
            tail = tail[tail.index(after: slash)...]
        }
    }
}
