import Foundation

/// What both executors (and the NAS's pull script) say to the far side of an `rsync` target
/// (docs/remote-rsync.md): the ssh options, and the small POSIX `sh` scripts run there through
/// `ssh … sh -c SCRIPT sh ARG…`. The scripts are constants that read their arguments only as "$1", "$2", …;
/// every argument is quoted for the remote shell by `Shell.quote`. Only POSIX sh, coreutils
/// (`mv -T`, `sync`, `sha256sum`), `find` and `rsync` are needed on the remote host.
public enum RsyncRemote {
    /// How long ssh waits for the TCP connection and the handshake.
    public static let connectTimeout = 30

    /// The ssh options for `target` (no destination): batch mode (never a prompt), a connect timeout,
    /// keep-alives, strict host key checking (against `known_hosts` when the plan names one, else the
    /// user's and the system's known hosts files), the port, and the key alone when the plan names one.
    /// The key and known hosts file are given as `-o` options, quoted as ssh reads option values.
    public static func sshOptions(port: Int?, sshKey: String?, knownHosts: String?) -> [String] {
        var words = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=\(connectTimeout)", "-o", "ServerAliveInterval=15",
                     "-o", "ServerAliveCountMax=4", "-o", "StrictHostKeyChecking=yes"]
        if let port { words += ["-p", String(port)] }
        if let sshKey { words += ["-o", "IdentityFile=\(configPath(sshKey))", "-o", "IdentitiesOnly=yes"] }
        if let knownHosts { words += ["-o", "UserKnownHostsFile=\(configPath(knownHosts))"] }
        return words
    }

    /// A path as an ssh option value: double-quoted (ssh splits option values at spaces), with `\` and `"`
    /// escaped, and `%` doubled (ssh expands `%` tokens in both options).
    static func configPath(_ path: String) -> String {
        let escaped = path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "%", with: "%%")
        return "\"" + escaped + "\""
    }

    /// `user@host`, or `host` when the plan names no user (ssh's default: the user running the backup).
    public static func destination(host: String, user: String?) -> String {
        if let user, !user.isEmpty { return "\(user)@\(host)" }
        return host
    }

    /// `user@host` as ssh takes it: an IPv6 address without its brackets (`RsyncAddress.sshHost`).
    public static func sshDestination(host: String, user: String?) -> String {
        destination(host: RsyncAddress.sshHost(host), user: user)
    }

    /// The value of rsync's `-e`: each word single-quoted the way rsync splits that option (a quote
    /// inside is doubled).
    public static func rsh(_ ssh: [String]) -> String {
        ssh.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: " ")
    }

    /// The command line ssh sends: `sh -c 'SCRIPT' sh 'ARG'…`.
    public static func command(_ script: String, _ arguments: [String]) -> String {
        (["sh", "-c", Shell.quote(script), "sh"] + arguments.map(Shell.quote)).joined(separator: " ")
    }

    // MARK: The remote scripts (arguments: $1 the target's path, $2 `<plan>/<job>`, then as said)

    /// Preflight: the path is a writable folder, rsync and sha256sum are there. Changes nothing.
    public static let preflightScript = """
        [ -d "$1" ] || { echo "$1 is not a folder on the remote host (is the volume mounted?)" >&2; exit 2; }
        [ -w "$1" ] || { echo "$1 is not writable by the remote user" >&2; exit 2; }
        command -v rsync >/dev/null 2>&1 || { echo "rsync is not installed on the remote host" >&2; exit 2; }
        command -v sha256sum >/dev/null 2>&1 || { echo "sha256sum (coreutils) is not installed on the remote host" >&2; exit 2; }
        exit 0
        """

    /// Lists the complete snapshots (folders holding SNAPSHOT.json), one name a line; nothing when the job
    /// folder does not exist yet; fails when the target's path is missing (an unmounted volume).
    public static let listScript = """
        [ -d "$1" ] || { echo "$1 is not a folder on the remote host (is the volume mounted?)" >&2; exit 2; }
        cd -- "$1/$2" 2>/dev/null || exit 0
        for d in *; do if [ -f "$d/SNAPSHOT.json" ]; then printf '%s\\n' "$d"; fi; done
        exit 0
        """

    /// Before an upload: makes the job folder, removes `.ID.partial` and `.ID.deleting` folders left by
    /// earlier runs, then lists the complete snapshots like `listScript`.
    public static let prepareScript = """
        [ -d "$1" ] || { echo "$1 is not a folder on the remote host (is the volume mounted?)" >&2; exit 2; }
        cd -- "$1" && mkdir -p -- "$2" && cd -- "$2" || exit 2
        for d in .*.partial .*.deleting; do
          case $d in .[0-9]*Z.partial | .[0-9]*Z.deleting) rm -rf -- "$d" || exit 2 ;; esac
        done
        for d in *; do if [ -f "$d/SNAPSHOT.json" ]; then printf '%s\\n' "$d"; fi; done
        exit 0
        """

    /// Publishes `.$3.partial` as `$3`: flushes it to disk, renames, flushes the rename.
    public static let publishScript = """
        cd -- "$1/$2" || exit 2
        [ -f ".$3.partial/SNAPSHOT.json" ] || { echo "the upload .$3.partial has no SNAPSHOT.json" >&2; exit 2; }
        [ ! -e "$3" ] || { echo "$3 exists already" >&2; exit 2; }
        sync -f ".$3.partial" 2>/dev/null || sync
        mv -T -- ".$3.partial" "$3" || exit 2
        sync -f . 2>/dev/null || sync
        exit 0
        """

    /// After a failed upload, before its `.$3.partial` is removed: the free KiB of the file system holding $1
    /// (rsync often loses the receiver's "No space left on device").
    public static let freeSpaceScript = """
        df -Pk -- "$1" | awk 'NR == 2 { print $4 }'
        """

    /// What to add to a failed upload's message given `freeSpaceScript`'s output: a full remote disk, said
    /// plainly. rsync removes the file it was writing when the write fails, so "full" means less free space
    /// than the snapshot's largest file plus 1 MiB.
    public static func spaceNote(_ output: String, root: String, largestFile: Int64) -> String {
        guard let free = Int64(output.trimmingCharacters(in: .whitespacesAndNewlines)), free < largestFile / 1024 + 1024 else { return "" }
        return "; no space left on the remote file system holding \(root) (\(free) KiB free)"
    }

    /// Removes `.$3.partial` (after a failed upload; best effort).
    public static let discardScript = """
        cd -- "$1/$2" 2>/dev/null || exit 0
        rm -rf -- ".$3.partial"
        """

    /// Removes snapshots $3…: each is renamed to `.ID.deleting` (no longer listed), then deleted.
    public static let removeScript = """
        cd -- "$1/$2" || exit 2
        shift 2
        rc=0
        for id in "$@"; do
          if [ -d "$id" ]; then
            if mv -T -- "$id" ".$id.deleting"; then rm -rf -- ".$id.deleting" || rc=1; else rc=1; fi
          fi
        done
        exit $rc
        """

    /// Deep verification of snapshot $3: every file against MANIFEST.sha256.
    public static let deepVerifyScript = """
        cd -- "$1/$2/$3" || exit 2
        sha256sum -c --quiet --strict MANIFEST.sha256
        """

    /// What manifest verification of snapshot $3 compares (`manifestCheck`): MANIFEST.sha256, a line of
    /// one RS character, the sha256sum lines of the files with one link (those the upload wrote; the others
    /// are hard links to the previous snapshot, checked when it was uploaded), RS again, the number of
    /// regular files under data/ (and keys/, when the snapshot has key files).
    public static let manifestVerifyScript = """
        cd -- "$1/$2/$3" && [ -f MANIFEST.sha256 ] || { echo "no MANIFEST.sha256 in $3" >&2; exit 2; }
        set -- data
        if [ -d keys ]; then set -- data keys; fi
        cat MANIFEST.sha256 && printf '\\036\\n' || exit 2
        find "$@" -type f -links 1 -exec sha256sum -- {} + || exit 2
        printf '\\036\\n'
        find "$@" -type f -print0 | tr -dc '\\000' | wc -c
        """

    /// The check of `manifestVerifyScript`'s output: every hash line is a line of the manifest, and there are
    /// as many files as manifest lines. Nil when it holds, else the reason.
    public static func manifestCheck(_ output: String) -> String? {
        let sections = output.components(separatedBy: "\u{1E}\n")
        guard sections.count == 3 else { return "the remote host's answer is incomplete" }
        let manifest = Set(sections[0].split(separator: "\n", omittingEmptySubsequences: true))
        let hashed = sections[1].split(separator: "\n", omittingEmptySubsequences: true)
        if let bad = hashed.first(where: { !manifest.contains($0) }) {
            return "a file does not match MANIFEST.sha256: \(bad.split(separator: " ", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? String(bad))"
        }
        let files = Int(sections[2].trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        guard files == manifest.count else {
            return "the snapshot holds \(files) files, MANIFEST.sha256 lists \(manifest.count)"
        }
        return nil
    }
}
