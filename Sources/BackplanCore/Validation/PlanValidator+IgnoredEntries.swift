/// BP315: `ignore` entries the data dir does not hold, reported once for the whole list so that
/// thousands of them give one note, not thousands.
extension PlanValidator {
    /// Most entries one note names before saying how many more there are.
    static let listedIgnoredEntries = 5

    mutating func checkIgnoredEntries(_ deployment: Deployment, origin: String) {
        let present = Set(deployment.entries.map(\.name))  // a lookup, never iterated: linear in both lists
        // Open WebUI creates these later (audit.log on the first audited request): ignoring them ahead is right.
        let missing = plan.ignore.filter { ignored in
            let top = String(ignored.value.split(separator: "/").first ?? "")
            return !present.contains(top) && !StarterPlan.recreatable.contains(top)
        }
        guard let first = missing.first else { return }
        guard missing.count > 1 else {
            report(.ignoredEntryMissing, "ignore names '\(first.value)', which is not in the data dir\(origin)",
                   at: first, help: "remove it, or keep it if the app creates it later")
            return
        }
        let names = missing.prefix(Self.listedIgnoredEntries).map { "'\($0.value)'" }.joined(separator: ", ")
        let more = missing.count > Self.listedIgnoredEntries ? " and \(missing.count - Self.listedIgnoredEntries) more" : ""
        report(.ignoredEntryMissing, "ignore names \(missing.count) entries that are not in the data dir\(origin): \(names)\(more)",
               at: first, help: "remove them, or keep those the app creates later")
    }
}
