/// Where detection looks when it is given neither `--compose` nor `--data-dir`.
///
/// Compose files, first found wins: in the current directory (`/` under `--root`), then in
/// `/opt/open-webui` and `/srv/open-webui`, each trying `compose.yaml`, `compose.yml`,
/// `docker-compose.yaml`, `docker-compose.yml` (compose's own order of preference).
///
/// Without a compose file, data dirs, first existing folder wins (recorded as `well-known-path`):
/// `/var/lib/docker/volumes/open-webui/_data` (the volume of the documented `docker run -v
/// open-webui:/app/backend/data`), `/opt/open-webui/data`, `/app/backend/data` (a pip install
/// using the container's layout).
public enum WellKnownLocations {
    public static let composeFolders = ["/opt/open-webui", "/srv/open-webui"]
    public static let composeNames = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"]
    public static let dataDirs = ["/var/lib/docker/volumes/open-webui/_data", "/opt/open-webui/data", "/app/backend/data"]

    /// Every compose file candidate, as host paths, in the order tried.
    public static func composeCandidates(currentDirectory: String) -> [String] {
        var folders = [currentDirectory]
        for folder in composeFolders where !folders.contains(folder) { folders.append(folder) }
        return folders.flatMap { folder in
            composeNames.map { HostPath.normalize(folder + "/" + $0) }
        }
    }

    /// The first compose file candidate that is a regular file.
    public static func findComposeFile(in fileSystem: HostFileSystem) -> String? {
        composeCandidates(currentDirectory: fileSystem.currentDirectory).first { path in
            fileSystem.exists(path) && !fileSystem.isDirectory(path)
        }
    }

    /// The first data dir candidate that is a folder.
    public static func findDataDir(in fileSystem: HostFileSystem) -> String? {
        dataDirs.first { fileSystem.isDirectory($0) }
    }
}
