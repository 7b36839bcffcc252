import Foundation

/// Whether a copy of Open WebUI's data agrees with itself, read the way Open WebUI 0.12.4 lays it out
/// (docs/app-consistency.md): every upload that `webui.db` lists is in `uploads/` with its size, and
/// every knowledge base and every indexed file of one has its collection in ChromaDB's
/// `chroma.sqlite3`. Also the counts a snapshot records of the app (users, chats, messages, files,
/// knowledge bases, collections, embeddings), so that a restore can be compared with what was captured.
///
/// The input is a copy (a snapshot's, written by SQLite's backup API): it is opened immutable, so
/// nothing is written beside it, not even `-wal`/`-shm`. The SQL is kept here, once, for both
/// executors. Names read from the database are data: callers escape them before printing.
public struct AppConsistency: Codable, Hashable, Sendable {
    /// What a snapshot records of the app (SNAPSHOT.json's `app.counts`, written by both executors):
    /// the rows of a few tables; a table the copy lacks (an older Open WebUI, no vector store) is absent.
    public struct Counts: Codable, Hashable, Sendable {
        public var users: Int?
        public var chats: Int?
        /// Rows of `chat_message` (Open WebUI 0.6.x and later keep each message there too).
        public var messages: Int?
        public var files: Int?
        public var knowledgeBases: Int?
        /// ChromaDB collections and embeddings; nil when the vector store was not read.
        public var collections: Int?
        public var embeddings: Int?

        public init(users: Int? = nil, chats: Int? = nil, messages: Int? = nil, files: Int? = nil,
                    knowledgeBases: Int? = nil, collections: Int? = nil, embeddings: Int? = nil) {
            self.users = users
            self.chats = chats
            self.messages = messages
            self.files = files
            self.knowledgeBases = knowledgeBases
            self.collections = collections
            self.embeddings = embeddings
        }

        /// Where each count comes from, in the JSON key order (sorted): the key, the file, the table.
        public static let tables: [(key: String, store: Store, table: String)] = [
            ("chats", .database, "chat"), ("collections", .vectorStore, "collections"), ("embeddings", .vectorStore, "embeddings"),
            ("files", .database, "file"), ("knowledge_bases", .database, "knowledge"), ("messages", .database, "chat_message"),
            ("users", .database, "user"),
        ]

        public enum Store: Sendable { case database, vectorStore }

        init(_ values: [String: Int]) {
            self.init(users: values["users"], chats: values["chats"], messages: values["messages"], files: values["files"],
                      knowledgeBases: values["knowledge_bases"], collections: values["collections"], embeddings: values["embeddings"])
        }

        /// The counts as people read them, in this order (verify's summary and messages; restore.sh's too).
        public static let nouns: [(key: String, noun: String)] = [
            ("users", "users"), ("chats", "chats"), ("messages", "messages"), ("files", "files"),
            ("knowledge_bases", "knowledge bases"), ("collections", "vector collections"), ("embeddings", "embeddings"),
        ]

        /// The count under a JSON key of `tables`.
        public subscript(key: String) -> Int? {
            switch key {
            case "users": users
            case "chats": chats
            case "messages": messages
            case "files": files
            case "knowledge_bases": knowledgeBases
            case "collections": collections
            case "embeddings": embeddings
            default: nil
            }
        }

        /// "2 users, 6 chats, …" for the counts present.
        public var summary: String {
            Self.nouns.compactMap { key, noun in self[key].map { "\($0) \(noun)" } }.joined(separator: ", ")
        }

        /// Each count that differs from `found`, as "N chats recorded, M found" (`Problem.Detail.countDiffers`).
        public func differences(from found: Counts) -> [String] {
            Self.nouns.compactMap { key, noun in
                guard let mine = self[key], let theirs = found[key], mine != theirs else { return nil }
                return Problem.fill(Problem.Detail.countDiffers, [String(mine), noun, String(theirs)])
            }
        }

        enum CodingKeys: String, CodingKey {
            case users, chats, messages, files, collections, embeddings
            case knowledgeBases = "knowledge_bases"
        }
    }

    public struct Problem: Codable, Hashable, Sendable {
        public enum Kind: String, Codable, Sendable {
            /// A `file` row whose upload is not in `uploads/`.
            case uploadMissing = "upload-missing"
            /// The upload is there with another size than the row records.
            case uploadSize = "upload-size"
            /// A knowledge base with files has no collection (or an empty one) in the vector store.
            case knowledgeVectorsMissing = "knowledge-vectors-missing"
            /// A file of a knowledge base that Open WebUI indexed (`data.status` completed) has no
            /// `file-<id>` collection.
            case fileVectorsMissing = "file-vectors-missing"
            /// The copy's counts are not those SNAPSHOT.json recorded at capture (an edited record or database).
            case countsDiffer = "counts-differ"
        }

        public var kind: Kind
        /// The file's or knowledge base's id in webui.db.
        public var id: String
        /// Its name as Open WebUI shows it.
        public var name: String
        public var detail: String

        public init(kind: Kind, id: String, name: String, detail: String) {
            self.kind = kind
            self.id = id
            self.name = name
            self.detail = detail
        }

        /// One line for a person: what is wrong and what to do (`template`, names escaped).
        public var sentence: String {
            Self.fill(Self.template(kind), [name, id, detail].map(TerminalText.escape))
        }

        /// The sentence of a kind with `%s` for the name, the id and the detail, in that order: also
        /// restore.sh's printf format.
        public static func template(_ kind: Kind) -> String {
            switch kind {
            case .uploadMissing, .uploadSize:
                "upload '%s' (file %s): %s; restore uploads/ from the same snapshot as webui.db, or delete the file in Open WebUI"
            case .knowledgeVectorsMissing, .fileVectorsMissing:
                "knowledge '%s' (%s): %s; re-index it in Open WebUI (Admin Settings > Documents > Reindex Knowledge Base Vectors)"
            case .countsDiffer:
                "%s (%s): %s; the record or the database was changed after the capture: verify an older snapshot too"
            }
        }

        /// The details, with `%s` for their values in order (also restore.sh's printf formats).
        public enum Detail {
            public static let noFileName = "webui.db records no file name for it"
            public static let uploadMissing = "uploads/%s is not in the copy"
            public static let uploadSize = "uploads/%s has %s bytes, webui.db records %s"
            public static let knowledgeEmpty = "it holds files but the vector store has no vectors for it"
            public static let fileVectors = "its file '%s' was indexed but collection 'file-%s' is missing"
            public static let countDiffers = "%s %s recorded, %s found"
        }

        /// `template` with each `%s` replaced by the next value.
        public static func fill(_ template: String, _ values: [String]) -> String {
            var parts = template.components(separatedBy: "%s")
            var out = parts.removeFirst()
            for (index, part) in parts.enumerated() { out += (index < values.count ? values[index] : "") + part }
            return out
        }
    }

    public var counts: Counts
    public var problems: [Problem]

    public init(counts: Counts, problems: [Problem]) {
        self.counts = counts
        self.problems = problems
    }

    /// The SQL, shared with the bash library (which runs it with `sqlite3 -readonly`).
    public enum SQL {
        public static let tables = "SELECT name FROM sqlite_master WHERE type = 'table'"
        /// id, filename, upload name (the path's last component), recorded size; local uploads only
        /// (a path with `://` is in object storage).
        public static let uploads = """
            SELECT id, COALESCE(filename, ''), replace(path, rtrim(path, replace(path, '/', '')), ''), \
            CASE WHEN json_valid(meta) THEN json_extract(meta, '$.size') END FROM file \
            WHERE path IS NOT NULL AND path <> '' AND instr(path, '://') = 0 ORDER BY id
            """
        /// id and name of each knowledge base that holds files.
        public static let knowledgeWithFiles = """
            SELECT k.id, k.name FROM knowledge k WHERE EXISTS \
            (SELECT 1 FROM knowledge_file kf WHERE kf.knowledge_id = k.id) ORDER BY k.id
            """
        /// Files of knowledge bases that Open WebUI indexed: file id, its name, the knowledge base's name.
        public static let indexedKnowledgeFiles = """
            SELECT f.id, COALESCE(f.filename, ''), min(k.name) FROM file f \
            JOIN knowledge_file kf ON kf.file_id = f.id JOIN knowledge k ON k.id = kf.knowledge_id \
            WHERE json_valid(f.data) AND json_extract(f.data, '$.status') = 'completed' GROUP BY f.id ORDER BY f.id
            """
        /// ChromaDB: each collection's name and its number of embeddings.
        public static let collections = """
            SELECT c.name, (SELECT count(*) FROM embeddings e JOIN segments s ON e.segment_id = s.id \
            WHERE s.collection = c.id) FROM collections c ORDER BY c.name
            """
        public static func count(_ table: String) -> String { "SELECT count(*) FROM \"\(table)\"" }
    }

    /// The counts of the copy whose `webui.db` is at `database` (and vector store folder `vectorStore`).
    public static func counts(database: String, vectorStore: String?) -> Result<Counts, FileReadFailure> {
        do {
            return .success(try readCounts(database: database, vectorStore: vectorStore))
        } catch {
            return .failure(error)
        }
    }

    static func rows(_ path: String, _ sql: String) throws(FileReadFailure) -> [[String?]] {
        try SQLiteFile.query(atPath: path, sql, access: .immutable).get()
    }

    /// The tables of the database at `path`.
    static func tables(_ path: String) throws(FileReadFailure) -> Set<String> {
        Set(try rows(path, SQL.tables).compactMap { $0.first ?? nil })
    }

    /// `databaseTables`: the database's tables when the caller has read them already.
    static func readCounts(database: String, vectorStore: String?, databaseTables: Set<String>? = nil) throws(FileReadFailure) -> Counts {
        let files: [Counts.Store: String] = [.database: database].merging(vectorStore.map { [.vectorStore: $0 + "/chroma.sqlite3"] } ?? [:]) { a, _ in a }
        var tables: [Counts.Store: Set<String>] = [:]
        for (store, path) in files {
            if store == .database, let databaseTables {
                tables[store] = databaseTables
            } else {
                tables[store] = try Self.tables(path)
            }
        }
        var values: [String: Int] = [:]
        for (key, store, table) in Counts.tables {
            guard let path = files[store], tables[store]?.contains(table) == true else { continue }
            values[key] = try rows(path, SQL.count(table)).first?.first.flatMap { $0.flatMap { Int($0) } }
        }
        return Counts(values)
    }

    /// Checks the copy whose `webui.db` is at `database`; `uploads` and `vectorStore` (the folder
    /// holding `chroma.sqlite3`) are checked when given, i.e. when the snapshot holds them.
    public static func check(database: String, uploads: String?, vectorStore: String?) -> Result<AppConsistency, FileReadFailure> {
        do {
            let tables = try Self.tables(database)
            let counts = try readCounts(database: database, vectorStore: vectorStore, databaseTables: tables)
            var problems: [Problem] = []
            if let uploads, tables.contains("file") {
                for row in try rows(database, SQL.uploads) {
                    let id = row[0] ?? "", name = row[1] ?? "", upload = row[2] ?? ""
                    problems += checkUpload(id: id, name: name, file: upload, size: row[3].flatMap { Int($0) }, in: uploads)
                }
            }
            if let vectorStore, tables.isSuperset(of: ["knowledge", "knowledge_file"]) {
                let collections = Dictionary(try rows(vectorStore + "/chroma.sqlite3", SQL.collections).map { ($0[0] ?? "", Int($0[1] ?? "") ?? 0) },
                                             uniquingKeysWith: +)
                for row in try rows(database, SQL.knowledgeWithFiles) where (collections[row[0] ?? ""] ?? 0) == 0 {
                    problems.append(Problem(kind: .knowledgeVectorsMissing, id: row[0] ?? "", name: row[1] ?? "",
                                            detail: Problem.Detail.knowledgeEmpty))
                }
                if tables.contains("file") {
                    for row in try rows(database, SQL.indexedKnowledgeFiles) where collections["file-" + (row[0] ?? "")] == nil {
                        problems.append(Problem(kind: .fileVectorsMissing, id: row[0] ?? "", name: row[2] ?? "",
                                                detail: Problem.fill(Problem.Detail.fileVectors, [row[1] ?? "", row[0] ?? ""])))
                    }
                }
            }
            return .success(AppConsistency(counts: counts, problems: problems))
        } catch {
            return .failure(error)
        }
    }

    /// The upload `file` of row `id` must be a regular file in `uploads` of `size` bytes.
    static func checkUpload(id: String, name: String, file: String, size: Int?, in uploads: String) -> [Problem] {
        guard !file.isEmpty, file != ".", file != ".." else {
            return [Problem(kind: .uploadMissing, id: id, name: name, detail: Problem.Detail.noFileName)]
        }
        var info = stat()
        guard lstat(uploads + "/" + file, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            return [Problem(kind: .uploadMissing, id: id, name: name, detail: Problem.fill(Problem.Detail.uploadMissing, [file]))]
        }
        if let size, Int(info.st_size) != size {
            return [Problem(kind: .uploadSize, id: id, name: name,
                            detail: Problem.fill(Problem.Detail.uploadSize, [file, String(info.st_size), String(size)]))]
        }
        return []
    }
}
