import Primitives
import TokenManager
import Yams

extension ConfigurationParser {
    static let sinkKeys = ["path", "mode", "owner", "group", "format"]

    /// Reads a provider's `sinks:` list: token files the daemon rewrites on every refresh.
    ///
    /// - Returns: The files, each with its `path` field (for the duplicate check), or `nil` after
    ///   reporting a problem.
    func sinks(_ field: YAMLField) -> [(file: TokenFile, field: YAMLField)]? {
        guard let items = self.reader.sequence(field, expected: "a list of token files") else { return nil }
        var files: [(file: TokenFile, field: YAMLField)] = []
        var valid = true
        for item in items {
            guard let file = self.sink(item) else {
                valid = false
                continue
            }
            files.append(file)
        }
        return valid ? files : nil
    }

    /// One sink: `{path: /abs/file, mode: "0640", owner: NAME|UID, group: NAME|GID, format: raw|json}`.
    private func sink(_ field: YAMLField) -> (file: TokenFile, field: YAMLField)? {
        let errorsBefore = self.reader.diagnostics.errorCount
        guard let map = self.reader.mapping(field, allowedKeys: Self.sinkKeys, context: "a sink") else { return nil }
        let path = map.required("path", self.absolutePath)
        let mode = map.optional("mode", self.fileMode)
        let owner = map.optional("owner") { self.account($0, kind: "user", AccountLookup.userID) }
        let group = map.optional("group") { self.account($0, kind: "group", AccountLookup.groupID) }
        let format = map.optional("format") { field in
            self.reader.choice(field, from: TokenFile.Format.all.map(\.rawValue)).flatMap(TokenFile.Format.init(name:))
        }
        guard self.reader.diagnostics.errorCount == errorsBefore, let path, let pathField = map["path"] else {
            return nil
        }
        let file = TokenFile(
            path: path, mode: mode ?? .ownerReadWrite, owner: owner, group: group, format: format ?? .raw
        )
        return (file, pathField)
    }

    /// An absolute path that names a file (not a directory).
    private func absolutePath(_ field: YAMLField) -> String? {
        guard let path = self.reader.nonEmptyString(field) else { return nil }
        guard path.hasPrefix("/"), !path.hasSuffix("/") else {
            self.reader.error(
                "expected an absolute file path like /run/oauthtop/NAME.token, found \(field.foundDescription)",
                at: field
            )
            return nil
        }
        return path
    }

    /// An octal mode string (`"0640"`): decimal-looking values are refused, never reinterpreted.
    func fileMode(_ field: YAMLField) -> FileMode? {
        guard let text = field.scalarText?.trimmingSpaces else {
            self.reader.mismatch(field, expected: "an octal mode string like \"0600\"")
            return nil
        }
        let mode: FileMode
        do {
            mode = try FileMode(parsing: text)
        } catch {
            self.reader.error(error.description, at: field)
            return nil
        }
        if !mode.ownerCanRead {
            self.reader.error("mode \(mode) does not let the owner read the file", at: field)
            return nil
        }
        if mode.isWorldReadable || mode.isWritableByOthers {
            self.reader.warning(
                "mode \(mode) lets other users read or change the token; prefer 0600 or 0640", at: field
            )
        }
        return mode
    }

    /// A user or group: a numeric id, or a name that exists on this machine.
    private func account(_ field: YAMLField, kind: String, _ lookup: (String) -> UInt32?) -> UInt32? {
        guard let text = self.reader.nonEmptyString(field) else { return nil }
        guard let id = lookup(text) else {
            self.reader.error("no \(kind) named '\(text)' on this machine (write a name or a numeric id)", at: field)
            return nil
        }
        return id
    }
}

extension ConfigurationParser {
    /// Reports a sink path that two sinks share (they would overwrite each other's token).
    func checkSinkPaths(_ parsed: [ParsedProvider]) {
        var seen: [String: String] = [:]
        for provider in parsed {
            for (file, field) in provider.sinks {
                if let other = seen[file.path] {
                    self.reader.error("path \(file.path) is already the sink of provider '\(other)'", at: field)
                } else {
                    seen[file.path] = provider.configuration.name
                }
            }
        }
    }
}
