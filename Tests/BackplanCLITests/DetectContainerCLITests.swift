import Foundation
import TestSupport
import Testing

/// `backplan detect --container NAME` through the built binary, against podman serving the Docker API
/// (its own storage: only this test's containers): the summary and the JSON name the container and
/// its data, and no value of its environment reaches stdout or stderr.
@Suite(.serialized) struct DetectContainerCLITests {
    @Test func detectContainerJSONHoldsNoSecret() throws {
        let podman = try PodmanService(isolated: true)
        defer { podman.stop() } // removes the containers of its own storage, and the volume with its folder
        let image = try podman.busyboxImage()
        let dir = try TemporaryDirectory()
        let name = "open-webui-\(UUID().uuidString.prefix(8).lowercased())"
        let volume = name + "-data"
        let secret = "bp-cli-secret-\(UUID().uuidString)"
        let password = "pw-\(UUID().uuidString.prefix(12))"
        try podman.docker(["run", "-d", "--pull=never", "--name", name, "--restart", "unless-stopped",
                           "-v", "\(volume):/app/backend/data", "-e", "WEBUI_SECRET_KEY=\(secret)",
                           "-e", "DATABASE_URL=postgresql://owui:\(password)@db/owui", image, "sleep", "600"])
        let mountpoint = try podman.docker(["volume", "inspect", "--format", "{{ .Mountpoint }}", volume])
        let environment = ["DOCKER_HOST": podman.dockerHost, "CONTAINERS_CONF": podman.environment["CONTAINERS_CONF"] ?? "",
                           "CONTAINERS_STORAGE_CONF": podman.environment["CONTAINERS_STORAGE_CONF"] ?? ""]

        let json = try Backplan.run(["detect", "--container", name, "--json"], in: dir.path, environment: environment)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let container = try #require(object["container"] as? [String: Any])
        #expect(container["name"] as? String == name)
        #expect(container["engine"] as? String == "docker")
        #expect(container["restart_policy"] as? String == "unless-stopped")
        #expect(container["containers"] as? [String] == [name])
        #expect(object["data_dir"] as? String == mountpoint)
        #expect(object["data_dir_source"] as? String == "container-volume")
        #expect((object["volume"] as? [String: Any])?["name"] as? String == volume)
        #expect((object["app"] as? [String: Any])?["image"] as? String == image)
        #expect(((object["app"] as? [String: Any])?["image_digest"] as? String)?.hasPrefix("localhost/backplan-busybox@sha256:") == true)
        #expect((object["environment"] as? [String: Any])?["secret_key"] as? String == "set")
        #expect((object["environment"] as? [String: Any])?["database_scheme"] as? String == "postgresql")
        let keys = try #require(object["keys"] as? [[String: Any]])
        #expect(keys.first?["source"] as? String == "container-environment")
        #expect(keys.first?["file"] == nil)

        let summary = try Backplan.run(["detect", "--container", name], in: dir.path, environment: environment)
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stdout.contains("container: \(name) (docker, restart policy unless-stopped)\n"))
        #expect(summary.stdout.contains("image:     \(image)\n"))
        #expect(summary.stdout.contains("mount:     volume \(volume) at /app/backend/data\n"))
        #expect(summary.stdout.contains("data dir:  \(mountpoint) (container-volume)\n"))
        #expect(summary.stdout.contains("key:       WEBUI_SECRET_KEY from container-environment\n"))

        let missing = try Backplan.run(["detect", "--container", name + "x", "--json"], in: dir.path, environment: environment)
        #expect(missing.status == 1)
        #expect(missing.stdout.isEmpty)
        #expect(missing.stderr.contains("error[BP409]: the container engine (docker) has no container '\(name)x'; did you mean '\(name)'?"))

        let mixed = try Backplan.run(["detect", "--container", name, "--compose", "compose.yaml"], in: dir.path, environment: environment)
        #expect(mixed.status == 64)
        #expect(mixed.stderr.contains("--container is for a deployment started with docker run"))

        for run in [json, summary, missing, mixed] {
            #expect(!run.crashed)
            for output in [run.stdout, run.stderr] {
                #expect(!output.contains(secret), "the secret key's value was printed")
                #expect(!output.contains(password), "the database password was printed")
            }
        }
    }
}
