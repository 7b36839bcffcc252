import Foundation

/// A new folder under the system's temporary folder, removed with everything in it when the value goes.
public final class TemporaryFolder: Sendable {
    public let path: String

    public init(_ prefix: String = "backplan-test") throws {
        path = FileManager.default.temporaryDirectory.path + "/\(prefix)-\(UUID().uuidString.prefix(12))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
