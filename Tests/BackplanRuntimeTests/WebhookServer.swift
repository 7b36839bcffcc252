import Foundation
import TestSupport

/// A real HTTP server on 127.0.0.1 (python3's http.server) answering every POST with a fixed status.
/// Each request is appended to `<dir>/requests.jsonl`: path, Content-Type, body, and how many processes
/// had the secret token in their command line (/proc/*/cmdline) while the request was open.
struct WebhookServer {
    let dir: String
    let pid: pid_t
    let port: Int

    static let script = #"""
        import http.server, json, os, sys
        root, status = sys.argv[1], int(sys.argv[2])
        token = open(os.path.join(root, "token"), "rb").read()

        def argv_hits():
            hits = 0
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        hits += token in f.read()
                except OSError:
                    pass
            return hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                record = {"path": self.path, "content_type": self.headers.get("Content-Type"),
                          "body": body.decode("utf-8", "replace"), "argv_hits": argv_hits()}
                with open(os.path.join(root, "requests.jsonl"), "a") as f:
                    f.write(json.dumps(record) + "\n")
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        with open(os.path.join(root, "port.new"), "w") as f:
            f.write(str(server.server_port))
        os.rename(os.path.join(root, "port.new"), os.path.join(root, "port"))
        server.serve_forever()
        """#

    /// Starts the server in `dir` (created); `token` is what must never show in a command line.
    init(dir: String, status: Int = 200, token: String) throws {
        self.dir = dir
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Self.script.write(toFile: dir + "/server.py", atomically: true, encoding: .utf8)
        try token.write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        guard let pid = RunHarness.spawn("/usr/bin/python3", [dir + "/server.py", dir, String(status)], stderr: dir + "/server.err") else {
            throw FaultError(description: "cannot start python3")
        }
        self.pid = pid
        var port: Int?
        for _ in 0..<500 where port == nil {
            port = (try? String(contentsOfFile: dir + "/port", encoding: .utf8)).flatMap { Int($0) }
            if port == nil { usleep(10_000) }
        }
        guard let port else {
            Self.end(pid)
            throw FaultError(description: "the webhook server did not start: \((try? String(contentsOfFile: dir + "/server.err", encoding: .utf8)) ?? "")")
        }
        self.port = port
    }

    var requests: [[String: Any]] {
        let text = (try? String(contentsOfFile: dir + "/requests.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func stop() { Self.end(pid) }

    private static func end(_ pid: pid_t) {
        kill(pid, SIGTERM)
        _ = RunHarness.wait(pid)
    }
}
