import BackplanCore
import Foundation

/// `generated/<plan>/lib/backplan.sh`: the plan's bash library, written once and sourced by its job
/// scripts and restore.sh, which hold only the plan's values and a call. It is the constant library of
/// every job (`BashRetention`, `JobScriptLibrary`), restore.sh's (`RestoreScriptLibrary`) and the bash of
/// each remote target type the plan uses; it reads plan values only from the variables of the script that
/// sources it. Its first function, `bp_library_id`, names the plan, the backplan version and the remote
/// target types it was written for: a script refuses a library that is missing or was written for
/// another plan, by another backplan or without a type it needs (`ScriptWriter.sourceLibrary`). A change
/// of the library's text alone changes only this file, so that a review sees it once.
public enum LibraryEmitter {
    /// Where the scripts find it, relative to their own folder.
    public static let path = "lib/backplan.sh"

    public static func render(_ plan: CompiledPlan) -> String {
        let word = Shell.quote(id(plan))
        let note = ShellAssignment.needsLintNote(word) ? ScriptWriter.lintNote + "\n" : ""
        return GeneratedHeader.lines(for: plan) + """
            # The bash library of plan \(plan.name), sourced by its job scripts and restore.sh (never run on its
            # own). The same text for every plan with the same target types; plan values live in the scripts.
            # shellcheck shell=bash
            # shellcheck disable=SC2153,SC2154 # the plan's values are assigned by the script that sources this file

            # The plan, backplan version and remote target types this library is for; the scripts check it.
            \(note)bp_library_id() { printf '%s\\n' \(word); }


            """ + body(plan)
    }

    /// Writes `script` to `path` (mode 0755) and the plan's library to `lib/backplan.sh` beside it, as
    /// INSTALL.md installs them (tests and tools that run a script outside `generated/`).
    public static func install(_ script: String, plan: CompiledPlan, at path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder + "/lib", withIntermediateDirectories: true)
        try render(plan).write(toFile: folder + "/" + Self.path, atomically: true, encoding: .utf8)
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    /// What `bp_library_id` prints, and the scripts expect.
    static func id(_ plan: CompiledPlan) -> String {
        let types = RemoteTargetBash.types(in: plan.targets).map(\.type.rawValue)
        return "\(plan.name) backplan-\(BackplanVersion.current) local\(types.map { "," + $0 }.joined())"
    }

    static func body(_ plan: CompiledPlan) -> String {
        var rest = ""
        for part in JobScriptLibrary.parts { rest += "\n" + part }
        rest += "\n" + AppVersionsBash.text
        rest += "\n" + RestoreScriptLibrary.text
        let types = RemoteTargetBash.types(in: plan.targets)
        if !types.isEmpty {
            rest += RemoteTargetBash.envFile + types.map(\.library).joined()
        }
        var out = BashRetention.function
        if !out.hasSuffix("\n") { out += "\n" }
        out += "\n" + BashCore.text(before: rest) + rest
        return out.hasSuffix("\n") ? out : out + "\n"
    }
}
