import BackplanCore
import Foundation

/// Reads the versions of the app a plan's compose service runs, the way the bash library does
/// (`bp_app_versions`): `sh -c AppVersions.hostScript` with the same arguments, its output parsed by
/// `AppVersions.parse`. Never throws: what cannot be read is a problem sentence in the result.
public enum AppVersionReader {
    /// The app of `compose`; nil when the plan names no compose service.
    public static func read(_ compose: CompiledCompose?) -> AppVersions? {
        guard let compose else { return nil }
        let run = ChildProcess.capture(["sh", "-c", AppVersions.hostScript, "sh"] + AppVersions.hostArguments(compose), input: Data(),
                                       limit: 1 << 20)
        return AppVersions.parse(run.status == 0 ? run.output : "")
    }

    /// The app of a pip install, found through the `open-webui` command on PATH (`bp_app_versions_pip`).
    public static func readPip() -> AppVersions {
        let run = ChildProcess.capture(["sh", "-c", AppVersions.pipScript, "sh", AppVersions.probeScript], input: Data(), limit: 1 << 20)
        return AppVersions.parse(run.status == 0 ? run.output : "")
    }

    /// The snapshot's side of a restore's comparison, from its record (values checked again: the record is
    /// a file anyone with access to the target could edit).
    public static func snapshotSide(_ record: SnapshotRecord?) -> AppVersions {
        func checked(_ value: String?, _ pattern: AppVersions.Pattern) -> String? {
            value.flatMap { AppVersions.matches($0, pattern) ? $0 : nil }
        }
        return AppVersions(openWebUI: checked(record?.app.openWebUIVersion, .version),
                           chromaDB: checked(record?.app.chromadbVersion, .version),
                           alembicVersion: checked(record?.app.alembicVersion, .revision))
    }
}
