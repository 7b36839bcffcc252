/// The compose project name, chosen as compose chooses it and normalised the same way.
public enum ComposeProjectName {
    /// The first of: `explicit` (`--project`), `name:` in the file, `COMPOSE_PROJECT_NAME` (from the
    /// environment, which already includes the `.env` file), the compose file's folder name.
    public static func resolve(explicit: String?, compose: ComposeFile, variables: [String: String]) -> String {
        let candidates = [explicit, compose.name, variables["COMPOSE_PROJECT_NAME"],
                          HostPath.lastComponent(compose.directory)]
        for candidate in candidates {
            if let candidate, !normalize(candidate).isEmpty { return normalize(candidate) }
        }
        return "default"
    }

    /// Lowercase, only `[a-z0-9_-]`, no leading `_` or `-` (compose-go's `NormalizeProjectName`).
    public static func normalize(_ name: String) -> String {
        let kept = name.lowercased().unicodeScalars.filter {
            ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-"
        }
        return String(String.UnicodeScalarView(kept).drop { $0 == "_" || $0 == "-" })
    }
}
