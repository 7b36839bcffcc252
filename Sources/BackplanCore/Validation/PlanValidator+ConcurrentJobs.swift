import Foundation

/// BP314: jobs that write one target and can start in the same minute.
///
/// Linear in the number of jobs for plans whose jobs fire at distinct minutes: jobs with the same
/// schedule form one group (one warning lists them all), and only groups that can fire in a common
/// minute of the day (an index of hour:minute slots) are compared exactly with `firstCommonMinute`.
extension PlanValidator {
    /// Jobs sharing one schedule, in plan order.
    private struct ScheduleGroup {
        var schedule: Schedule
        var location: Located<String>
        var jobs: [Job]
        var targets: Set<String>
    }

    /// Most job names one warning lists before saying how many more there are.
    static let listedJobs = 20

    mutating func checkConcurrentJobs() {
        let groups = Self.groups(plan.jobs)
        for group in groups where group.jobs.count > 1 { reportWithin(group) }
        for (i, j) in Self.candidatePairs(groups) {
            let a = groups[i], b = groups[j]
            guard let (first, second, target) = Self.firstSharing(a.jobs, b.jobs),
                  let when = a.schedule.firstCommonMinute(with: b.schedule, after: Self.checkBase, within: 4 * 366 * 86400)
            else { continue }
            report(.sameMinuteTarget,
                   "jobs '\(first.name.value)' and '\(second.name.value)' both write target '\(target)' and can start in the same minute (first at \(CivilTime(utc: when).extendedUTC))",
                   at: second.schedule.location,
                   help: "move one schedule by some minutes; the second job waits for the first one's lock and its snapshot is late")
        }
    }

    private static func groups(_ jobs: [Job]) -> [ScheduleGroup] {
        var groups: [ScheduleGroup] = []
        var index: [[CalendarEvent]: Int] = [:]  // a lookup, never iterated
        for job in jobs {
            let targets = Set(job.targets.map(\.value))
            if let at = index[job.schedule.schedule.events] {
                groups[at].jobs.append(job)
                groups[at].targets.formUnion(targets)
            } else {
                index[job.schedule.schedule.events] = groups.count
                groups.append(ScheduleGroup(schedule: job.schedule.schedule, location: job.schedule.location,
                                            jobs: [job], targets: targets))
            }
        }
        return groups
    }

    /// One warning per set of jobs on one schedule linked by shared targets.
    private mutating func reportWithin(_ group: ScheduleGroup) {
        guard let when = group.schedule.firstCommonMinute(with: group.schedule, after: Self.checkBase,
                                                          within: 4 * 366 * 86400) else { return }
        for cluster in Self.clusters(group.jobs) where cluster.count > 1 {
            let names = cluster.prefix(Self.listedJobs).map { "'\($0.name.value)'" }.joined(separator: ", ")
            let more = cluster.count > Self.listedJobs ? " and \(cluster.count - Self.listedJobs) more" : ""
            let sharedList = Self.sharedTargets(cluster)
            let shared = (sharedList.count == 1 ? "target " : "targets ") + sharedList.map { "'\($0)'" }.joined(separator: ", ")
            report(.sameMinuteTarget,
                   "\(cluster.count) jobs on schedule '\(group.schedule.expression)' write \(shared) and start in the same minute (first at \(CivilTime(utc: when).extendedUTC)): \(names)\(more)",
                   at: cluster[1].schedule.location,
                   help: "give each job its own minute; each waits for the one before it to release the target's lock, and its snapshot is late")
        }
    }

    /// The jobs split into sets connected by shared targets, in plan order.
    private static func clusters(_ jobs: [Job]) -> [[Job]] {
        var parent = Array(jobs.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i {
                parent[i] = parent[parent[i]]
                i = parent[i]
            }
            return i
        }
        var firstWriter: [String: Int] = [:]
        for (i, job) in jobs.enumerated() {
            for target in job.targets.map(\.value) {
                if let other = firstWriter[target] { parent[root(i)] = root(other) } else { firstWriter[target] = i }
            }
        }
        var byRoot: [Int: Int] = [:]
        var clusters: [[Job]] = []
        for (i, job) in jobs.enumerated() {
            let r = root(i)
            if let at = byRoot[r] { clusters[at].append(job) } else {
                byRoot[r] = clusters.count
                clusters.append([job])
            }
        }
        return clusters
    }

    /// Targets written by at least two of `jobs`, sorted.
    private static func sharedTargets(_ jobs: [Job]) -> [String] {
        var writers: [String: Int] = [:]
        for job in jobs { for target in Set(job.targets.map(\.value)) { writers[target, default: 0] += 1 } }
        return writers.filter { $0.value > 1 }.keys.sorted()
    }

    /// The first job of `a` and of `b` writing a common target, with that target.
    private static func firstSharing(_ a: [Job], _ b: [Job]) -> (Job, Job, String)? {
        var writer: [String: Job] = [:]
        for job in a { for target in job.targets where writer[target.value] == nil { writer[target.value] = job } }
        for job in b {
            for target in job.targets { if let first = writer[target.value] { return (first, job, target.value) } }
        }
        return nil
    }

    /// Pairs of groups (i < j, sorted) that share a target and may fire in one minute: groups in one
    /// time zone meet only in a common hour:minute slot; groups in other or mixed zones are always paired.
    private static func candidatePairs(_ groups: [ScheduleGroup]) -> [(Int, Int)] {
        var slots: [String: [Int: [Int]]] = [:]  // zone → minute of day → groups; lookups only
        var unzoned: [Int] = []
        for (g, group) in groups.enumerated() {
            let zones = Set(group.schedule.events.map { $0.timeZone ?? "" })
            guard zones.count == 1, let zone = zones.first else {
                unzoned.append(g)
                continue
            }
            var minutes = Set<Int>()
            for event in group.schedule.events {
                for hour in event.hours { for minute in event.minutes { minutes.insert(hour * 60 + minute) } }
            }
            for minute in minutes { slots[zone, default: [:]][minute, default: []].append(g) }
        }
        var pairs = Set<Int>()
        let n = groups.count
        func add(_ i: Int, _ j: Int) {
            guard i != j, !groups[i].targets.isDisjoint(with: groups[j].targets) else { return }
            pairs.insert(min(i, j) * n + max(i, j))
        }
        for byMinute in slots.values {
            for members in byMinute.values where members.count > 1 {
                for (k, i) in members.enumerated() { for j in members[(k + 1)...] { add(i, j) } }
            }
        }
        // Different zones can meet at any local minute: those pairs are compared exactly.
        let zoneOf = Dictionary(uniqueKeysWithValues: slots.flatMap { zone, byMinute in
            Set(byMinute.values.joined()).map { ($0, zone) } })
        for i in unzoned { for j in 0..<n { add(i, j) } }
        if slots.count > 1 {
            for i in 0..<n { for j in (i + 1)..<max(i + 1, n) where zoneOf[i] != zoneOf[j] { add(i, j) } }
        }
        return pairs.sorted().map { ($0 / n, $0 % n) }
    }
}
