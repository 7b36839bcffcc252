import BackplanCore
import Testing

/// Decoder tests: each marked plan must produce exactly the diagnostics at the markers.
@Suite struct PlanDecoderTests {
    static let valid = """
        version: 1
        name: test
        deployment:
          compose: {file: /opt/open-webui/docker-compose.yaml, service: open-webui}
          data_dir: /opt/open-webui/data
        sources:
          database: {path: webui.db, kind: sqlite}
          vectors: {path: vector_db, kind: chroma}
          uploads: {path: uploads, kind: files, exclude: ["*.part"]}
        ignore: [cache, audit.log]
        targets:
          local: {type: local, path: /srv/backups/openwebui}
          b2: {type: rclone, remote: "b2:owui", config_file: /etc/backplan/rclone.conf, transfers: 4}
          s3: {type: restic, repository: "s3:https://s3.example.com/b/owui", password_file: /etc/backplan/restic.pass, init: true}
          nas: {type: rsync, host: nas.lan, user: backup, port: 2222, path: /volume1/owui, ssh_key: /etc/backplan/nas}
        jobs:
          daily:
            schedule: "*-*-* 03:15"
            sources: [database, uploads]
            targets: [local, b2]
            retention: {keep_daily: 7, keep_weekly: 4, keep_within: 2d}
          weekly-cold:
            schedule: {cron: "0 4 * * sun"}
            quiesce: {stop: [open-webui], max_downtime: 120s}
            targets: [nas, s3]
            retention: {keep_weekly: 3}
            verify: deep
            jitter: 10m
        notify:
          on: [failure]
          webhook: {url_file: /etc/backplan/webhook.url}

        """

    @Test func theFullLanguageDecodes() throws {
        let source = MarkedSource(Self.valid)
        let (plan, diagnostics) = frontEnd(source)
        #expect(diagnostics.isEmpty, "\(describe(diagnostics))")
        let p = try #require(plan)
        #expect(p.name.value == "test")
        #expect(p.sources.map(\.name.value) == ["database", "vectors", "uploads"])
        #expect(p.sources[2].exclude.map(\.value) == ["*.part"])
        #expect(p.targets.map(\.kind.type.rawValue) == ["local", "rclone", "restic", "rsync"])
        #expect(p.ignore.map(\.value) == ["cache", "audit.log"])
        let daily = p.jobs[0]
        #expect(daily.sources.map(\.value) == ["database", "uploads"])
        #expect(daily.retention?.value == RetentionPolicy(keepDaily: 7, keepWeekly: 4, keepWithinSeconds: 172_800))
        #expect(daily.verify == .manifest)
        let cold = p.jobs[1]
        #expect(cold.sources.map(\.value) == ["database", "vectors", "uploads"], "no sources means all")
        #expect(cold.quiesce == .compose(services: [Located("open-webui", start: cold.quiesceServiceStart, width: 10)],
                                         maxDowntime: Located(Duration(seconds: 120), start: cold.maxDowntimeStart, width: 4)))
        #expect(cold.verify == .deep)
        #expect(cold.jitter?.value == Duration(seconds: 600))
        if case .restic(let r) = p.targets[2].kind { #expect(r.initialize) } else { Issue.record("not restic") }
        if case .rsync(let r) = p.targets[3].kind { #expect(r.port?.value == 2222 && r.direction == .push) }
        #expect(p.notify?.on == [.failure])
    }

    @Test func everyUnknownKeyPositionIsReported() {
        let source = MarkedSource("""
            version: 1
            name: test
            1️⃣retension: 3
            deployment:
              data_dir: /d
              2️⃣datadir: /d
              compose: {file: /c.yaml, service: s, 3️⃣servise: s}
            sources:
              db: {path: webui.db, kind: sqlite, 4️⃣knd: sqlite}
            targets:
              l: {type: local, path: /b, 5️⃣remote: "x:y"}
              r: {type: rclone, remote: "x:y", 6️⃣bandwidth: 1M}
              s: {type: restic, repository: r, password_file: /p, 7️⃣inti: true}
            jobs:
              daily:
                schedule: daily
                targets: [l, r, s]
                8️⃣retension: {keep_daily: 7}
                retention: {keep_daily: 7, 9️⃣keep_dayly: 3}
            """)
        let (_, diagnostics) = frontEnd(source)
        expectDiagnostics(diagnostics, in: source, [
            "1️⃣": .unknownKey, "2️⃣": .unknownKey, "3️⃣": .unknownKey, "4️⃣": .unknownKey, "5️⃣": .unknownKey,
            "6️⃣": .unknownKey, "7️⃣": .unknownKey, "8️⃣": .unknownKey, "9️⃣": .unknownKey,
        ])
        let messages = diagnostics.map(\.message)
        #expect(messages.contains("unknown key 'retension' in job 'daily'; did you mean 'retention'?"))
        #expect(messages.contains("unknown key 'keep_dayly' in retention of job 'daily'; did you mean 'keep_daily'?"))
        #expect(messages.contains("unknown key 'servise' in deployment.compose; did you mean 'service'?"))
    }

    @Test func unknownKeysInQuiesceNotifyAndSchedule() {
        let source = MarkedSource("""
            version: 1
            name: test
            deployment: {data_dir: /d}
            sources: {db: {path: webui.db, kind: sqlite}}
            targets: {l: {type: local, path: /b}}
            jobs:
              a:
                schedule: {1️⃣crn: "0 3 * * *"}
                targets: [l]
              b:
                schedule: daily
                targets: [l]
                quiesce: {units: [owui.service], 2️⃣max_downtim: 2m}
              c:
                schedule: daily
                targets: [l]
                quiesce: {commands: {stop: [a], start: [b], 3️⃣restart: [c]}}
            notify:
              webhook: {url_file: /u, 4️⃣url: x}
              5️⃣channel: x
            """)
        let (_, diagnostics) = frontEnd(source)
        expectDiagnostics(diagnostics, in: source, [
            "1️⃣": .unknownKey, "2️⃣": .unknownKey, "3️⃣": .unknownKey, "4️⃣": .unknownKey, "5️⃣": .unknownKey,
        ], ignoring: [.missingKey])
    }

    @Test func wrongTypesPointAtTheValue() {
        let source = MarkedSource("""
            version: 1
            name: test
            deployment: {data_dir: 1️⃣[/d]}
            sources:
              db: {path: webui.db, kind: 2️⃣sqlit}
              up: {path: 3️⃣{a: b}, kind: files}
            targets: {l: {type: local, path: 4️⃣relative/path}, r: {type: rclone, remote: "x:y", transfers: 5️⃣many}}
            jobs:
              daily:
                schedule: daily
                targets: 6️⃣{l: yes}
                retention: {keep_daily: 7️⃣-1}
                verify: 8️⃣yes
                jitter: 9️⃣5 minutes
            """)
        let (_, diagnostics) = frontEnd(source)
        expectDiagnostics(diagnostics, in: source, [
            "1️⃣": .wrongType, "2️⃣": .invalidValue, "3️⃣": .wrongType, "4️⃣": .invalidPath, "5️⃣": .invalidNumber,
            "6️⃣": .wrongType, "7️⃣": .invalidNumber, "8️⃣": .invalidValue, "9️⃣": .invalidDuration,
        ], ignoring: [.missingKey])
        #expect(diagnostics.contains { $0.message.contains("did you mean 'sqlite'?") })
    }

    @Test func missingKeysAndVersion() {
        let source = MarkedSource("""
            version: 1️⃣2
            name: 2️⃣Test_Plan
            deployment: 3️⃣{}
            sources: 4️⃣{db: 5️⃣{kind: sqlite}}
            targets: {l: 6️⃣{path: /b}, n: {type: rsync, host: 7️⃣-oProxyCommand=x, path: /p}}
            8️⃣jobs: {}
            """)
        let (plan, diagnostics) = frontEnd(source)
        #expect(plan == nil)
        expectDiagnostics(diagnostics, in: source, [
            "1️⃣": .unsupportedVersion, "2️⃣": .invalidName, "3️⃣": .missingKey, "5️⃣": .missingKey,
            "6️⃣": .missingKey, "7️⃣": .optionLikeValue,
        ], ignoring: [.emptySection])
        #expect(diagnostics.contains { $0.code == .emptySection && $0.message == "the plan has no jobs" })
    }

    /// An rsync host or user that rsync or ssh would read otherwise (`host:path`, an option, a local path) is
    /// refused; a remote or repository that a tool would read as an option too.
    @Test func rsyncHostsAndUsersStayWhatTheySay() {
        let source = MarkedSource("""
            version: 1
            name: test
            deployment: {data_dir: /d}
            sources: {db: {path: webui.db, kind: sqlite}}
            targets:
              a: {type: rsync, host: 1️⃣nas.lan:22, path: /p}
              b: {type: rsync, host: 2️⃣backup@nas, path: /p}
              c: {type: rsync, host: nas.lan, user: 3️⃣-oProxyCommand=x, path: /p}
              d: {type: rsync, host: nas.lan, user: 4️⃣"a b", path: /p}
              e: {type: rsync, host: 192.168.1.5, user: backup, path: /p}
              f: {type: rsync, host: nas.lan, user: 5️⃣bk/x, path: /p}
              g: {type: rsync, host: 6️⃣nas/x, path: /p}
              h: {type: rsync, host: "[fd00::20]", user: back_up.2, path: /p}
              i: {type: rsync, host: 7️⃣"fd00::20", path: /p}
              k: {type: rsync, host: 8️⃣-nas, path: /p}
              n: {type: rsync, host: my-nas_1.lan, user: u, path: /p}
              l: {type: rclone, remote: 9️⃣"--log-file=/tmp/x:"}
            jobs: {j: {schedule: daily, targets: [a, b, c, d, e, f, g, h, i, k, l, n]}}
            """)
        let (_, diagnostics) = frontEnd(source)
        expectDiagnostics(diagnostics, in: source, [
            "1️⃣": .invalidValue, "2️⃣": .invalidValue, "3️⃣": .optionLikeValue, "4️⃣": .invalidValue,
            "5️⃣": .invalidValue, "6️⃣": .invalidValue, "7️⃣": .invalidValue, "8️⃣": .optionLikeValue,
            "9️⃣": .optionLikeValue,
        ])
    }

    /// restic would read a repository starting with '-' as an option, rclone a remote.
    @Test func remotesAndRepositoriesAreNotOptions() {
        let source = MarkedSource("""
            version: 1
            name: test
            deployment: {data_dir: /d}
            sources: {db: {path: webui.db, kind: sqlite}}
            targets:
              m: {type: restic, repository: 1️⃣"--insecure-tls", password_file: /p}
              o: {type: rclone, remote: 2️⃣"-vv:x"}
              p: {type: rclone, remote: "b2:--not-an-option"}
              q: {type: restic, repository: "sftp:nas:/srv/-restic", password_file: /p}
            jobs: {j: {schedule: daily, targets: [m, o, p, q]}}
            """)
        let (_, diagnostics) = frontEnd(source)
        expectDiagnostics(diagnostics, in: source, ["1️⃣": .optionLikeValue, "2️⃣": .optionLikeValue])
    }

    @Test func referencesAndQuiesceForms() {
        let source = MarkedSource("""
            version: 1
            name: test
            deployment: {data_dir: /d}
            sources: {db: {path: webui.db, kind: sqlite, exclude: 1️⃣[x]}}
            targets: {local: {type: local, path: /b}}
            jobs:
              a:
                schedule: daily
                sources: [2️⃣databse]
                targets: [local, 3️⃣local]
                quiesce: 4️⃣{stop: [x], units: [y]}
              b:
                schedule: daily
                targets: [local]
                quiesce: {stop: 5️⃣[open-webui]}
              c:
                schedule: daily
                targets: local
                quiesce: 6️⃣stop
            """)
        let (_, diagnostics) = frontEnd(source)
        expectDiagnostics(diagnostics, in: source, [
            "1️⃣": .conflictingKeys, "2️⃣": .unknownReference, "3️⃣": .duplicateEntry, "4️⃣": .conflictingKeys,
            "5️⃣": .missingKey, "6️⃣": .invalidValue,
        ])
    }

    @Test func controlCharactersAreRefused() {
        let source = MarkedSource("""
            version: 1
            name: test
            deployment: {data_dir: 1️⃣"/d\\nrm -rf /"}
            sources: {db: {path: webui.db, kind: sqlite}}
            targets: {l: {type: local, path: 2️⃣"/b\\u0000x"}}
            jobs: {a: {schedule: daily, targets: [l]}}
            """)
        let (_, diagnostics) = frontEnd(source)
        expectDiagnostics(diagnostics, in: source, ["1️⃣": .unsafeCharacters, "2️⃣": .unsafeCharacters],
                          ignoring: [.missingKey])
    }

    @Test func sourcePathsAreNormalisedAndConfined() throws {
        let source = MarkedSource("""
            version: 1
            name: test
            deployment: {data_dir: /d}
            sources:
              up: {path: ./uploads/, kind: files}
              bad: {path: 1️⃣../etc, kind: files}
            targets: {l: {type: local, path: /b}}
            jobs: {a: {schedule: daily, sources: [up], targets: [l]}}
            """)
        let (plan, diagnostics) = frontEnd(source)
        expectDiagnostics(diagnostics, in: source, ["1️⃣": .invalidPath])
        #expect(plan?.sources.first?.path.value == "uploads")
    }

    @Test func planNameFollowsTheFileName() {
        let source = MarkedSource("""
            version: 1
            name: 1️⃣other
            deployment: {data_dir: /d}
            sources: {db: {path: webui.db, kind: sqlite}}
            targets: {l: {type: local, path: /b}}
            jobs: {a: {schedule: daily, targets: [l]}}
            """)
        expectDiagnostics(frontEnd(source, file: "plans/openwebui.yaml").diagnostics, in: source, ["1️⃣": .nameMismatch])
    }

    @Test(arguments: [("90s", 90), ("10m", 600), ("2h", 7200), ("7d", 604_800), ("2w", 1_209_600), ("1h30m", 5400)])
    func durations(_ text: String, _ seconds: Int) {
        #expect(Duration(parsing: text)?.seconds == seconds)
        #expect(Duration(parsing: Duration(seconds: seconds).description)?.seconds == seconds)
    }

    @Test(arguments: ["", "10", "m", "10x", "-5m", "1.5h", "99999999999s", "10 m"])
    func badDurations(_ text: String) {
        #expect(Duration(parsing: text) == nil)
    }
}

@Suite struct ComposeNameTests {
    @Test func serviceNamesThatLookLikeOptionsOrCodeAreRefused() {
        let source = MarkedSource("""
            version: 1
            name: test
            deployment:
              compose: {file: /c.yaml, service: 1️⃣"-d"}
              data_dir: /d
            sources: {db: {path: webui.db, kind: sqlite}}
            targets: {l: {type: local, path: /b}}
            jobs:
              a:
                schedule: daily
                targets: [l]
                quiesce: {stop: [open-webui, 2️⃣"$(touch /tmp/x)", 3️⃣--all]}
            """)
        expectDiagnostics(frontEnd(source).diagnostics, in: source, [
            "1️⃣": .invalidName, "2️⃣": .invalidName, "3️⃣": .invalidName,
        ])
    }
}

extension Job {
    var quiesceServiceStart: Position {
        if case .compose(let services, _) = quiesce { return services[0].start }
        return Position(line: 0, column: 0)
    }

    var maxDowntimeStart: Position {
        if case .compose(_, let max) = quiesce { return max?.start ?? Position(line: 0, column: 0) }
        return Position(line: 0, column: 0)
    }
}
