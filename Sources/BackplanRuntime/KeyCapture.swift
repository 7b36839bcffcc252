import BackplanCore
import Foundation

/// Captures a job's `key` sources into `<dir>/keys/<name>` (docs/run-contract.md, "Keys"): a file on the
/// host is read as a regular file (never a fifo or a device); a file in a compose service's container is
/// read with `COMPOSE exec -T SERVICE cat PATH`, which needs the container running, so the keys are
/// captured before the app is stopped. Each is at most `RunContract.keyFileLimit` bytes, written with
/// mode 0600, and never logged: the log names the source, where it came from and its size.
struct KeyCapture {
    var plan: CompiledPlan
    var log: RunLog

    /// Writes every key source of `sources` into `dir/keys/`; records each file in `inventory`.
    func capture(_ sources: [CompiledSource], into dir: String, recording inventory: inout CaptureInventory) throws {
        let keys = sources.filter { $0.kind == .key }
        guard !keys.isEmpty else { return }
        let folder = dir + "/" + RunContract.keysDir
        guard mkdir(folder, 0o700) == 0 || errno == EEXIST else { throw RunError("capture: cannot create \(folder): \(String(cString: strerror(errno)))") }
        for source in keys {
            let from = source.service.map { "\(source.absolutePath) in the container of service \($0)" } ?? source.absolutePath
            let bytes = try read(source, from)
            let path = folder + "/" + source.name
            try write(bytes, to: path)
            inventory.files[source.snapshotPath] = CaptureInventory.File(bytes: Int64(bytes.count), linkedTo: nil, hash: nil)
            log.log("capture: key \(source.name) from \(from) (\(bytes.count) bytes, mode 0600)", step: .capture)
        }
    }

    private func read(_ source: CompiledSource, _ from: String) throws -> Data {
        let limit = RunContract.keyFileLimit
        if let service = source.service {
            let command = QuiesceJournal.composeCommand(plan, "exec", ["-T", service, "cat", source.absolutePath])
            let (status, output, overflow) = ChildProcess.read(command, limit: limit)
            if overflow { throw RunError("capture: key \(source.name): \(from) is larger than \(limit) bytes") }
            guard status == 0 else {
                throw RunError("capture: key \(source.name): reading \(from) failed (status \(status)); is the service running?")
            }
            guard !output.isEmpty else { throw RunError("capture: key \(source.name): \(from) is empty") }
            return output
        }
        let fd: Int32
        switch RegularFile.open(source.absolutePath) {
        case .success(let opened): fd = opened
        case .failure(let refusal): throw RunError("capture: key \(source.name): \(source.absolutePath): \(refusal.phrase)")
        }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = Foundation.read(fd, &buffer, buffer.count)
            if n > 0 {
                data.append(buffer, count: n)
                if data.count > limit { throw RunError("capture: key \(source.name): \(from) is larger than \(limit) bytes") }
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw RunError("capture: key \(source.name): reading \(from) failed: \(String(cString: strerror(errno)))")
            }
        }
        guard !data.isEmpty else { throw RunError("capture: key \(source.name): \(from) is empty") }
        return data
    }

    private func write(_ bytes: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw RunError("capture: cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fchmod(fd, 0o600) == 0 else { throw RunError("capture: cannot write \(path)") }
    }
}
