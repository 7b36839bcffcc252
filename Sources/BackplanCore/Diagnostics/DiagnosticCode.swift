/// The stable codes of every diagnostic backplan prints. A code never changes meaning once released;
/// `docs/diagnostics.md` is generated from `DiagnosticCode.rule` and kept in step by a test.
public enum DiagnosticCode: String, Sendable, Hashable, CaseIterable, Codable {
    // YAML and files
    case yamlSyntax = "BP001"
    case duplicateKey = "BP002"
    case documentTooLarge = "BP003"
    case nestingTooDeep = "BP004"
    case aliasExpansion = "BP005"
    case invalidEncoding = "BP006"
    case emptyDocument = "BP007"
    case unreadableFile = "BP008"
    case multipleDocuments = "BP009"
    case unsupportedYAML = "BP010"

    // Plan language
    case unsupportedVersion = "BP101"
    case wrongType = "BP102"
    case missingKey = "BP103"
    case unknownKey = "BP104"
    case invalidName = "BP105"
    case invalidDuration = "BP106"
    case invalidValue = "BP107"
    case invalidPath = "BP108"
    case unknownReference = "BP109"
    case invalidNumber = "BP110"
    case invalidSchedule = "BP111"
    case duplicateEntry = "BP112"
    case emptySection = "BP113"
    case conflictingKeys = "BP114"
    case unsafeCharacters = "BP115"
    case nameMismatch = "BP116"
    case optionLikeValue = "BP125"

    // Secrets
    case secretLiteral = "BP201"
    case secretKey = "BP202"
    case credentialsInURL = "BP203"

    // Plan against the deployment
    case uncoveredEntry = "BP301"
    case sourceMissing = "BP302"
    case kindMismatch = "BP303"
    case hotChromaCapture = "BP304"
    case unknownService = "BP305"
    case externalDatabase = "BP306"
    case externalVectorDB = "BP307"
    case externalStorage = "BP308"
    case secretKeyNotPersisted = "BP309"
    case tooFewCopies = "BP310"
    case targetInsideDataDir = "BP311"
    case noRetention = "BP312"
    case retentionTooShort = "BP313"
    case sameMinuteTarget = "BP314"
    case ignoredEntryMissing = "BP315"
    case noDeployment = "BP316"
    case invalidDeployment = "BP317"
    case overlappingSources = "BP318"
    case noOffsiteCopy = "BP319"
    case dataDirMismatch = "BP320"
    case composeMismatch = "BP321"
    case unusedSource = "BP322"
    case pullWithoutLocalTarget = "BP323"

    // Compose files and detection
    case composeInvalid = "BP401"
    case composeInterpolation = "BP402"
    case composeServiceMissing = "BP403"
    case composeNoDataMount = "BP404"
    case dataDirMissing = "BP405"
    case dockerUnavailable = "BP406"

    // Compiling
    case cronInexpressible = "BP501"
    case dataDirUnknown = "BP502"
    case staleGenerated = "BP503"
    case daylightSavingHour = "BP504"
    case scheduleNeverFires = "BP505"
}
