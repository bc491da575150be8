import Foundation

/// Where `oauthtop exec` puts its command's token file: the path given, or `token` in a new private
/// directory (mode 0700, from `mkdtemp`) under `$XDG_RUNTIME_DIR`, else `$TMPDIR`, else `/tmp`.
/// ``remove()`` deletes the file, and the directory when it made one.
struct TokenFileLocation: Sendable {
    let path: String
    /// The directory made for the file, removed with it; `nil` when the path was given.
    let temporaryDirectory: String?

    /// - Parameters:
    ///   - explicitPath: The path given (`--token-file`), else a new private directory is made.
    ///   - environment: For `XDG_RUNTIME_DIR` and `TMPDIR`.
    ///   - prefix: The new directory's name before its random part.
    ///   - name: The file's name in it.
    static func make(
        explicitPath: String?, environment: [String: String], prefix: String = "oauthtop-exec", name: String = "token"
    ) throws(ExecError) -> TokenFileLocation {
        if let explicitPath {
            let absolute = explicitPath.hasPrefix("/")
                ? explicitPath : FileManager.default.currentDirectoryPath + "/" + explicitPath
            return TokenFileLocation(path: absolute, temporaryDirectory: nil)
        }
        let base = ["XDG_RUNTIME_DIR", "TMPDIR"].lazy.compactMap { environment[$0] }
            .first { !$0.isEmpty && Self.isDirectory($0) } ?? "/tmp"
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw .tokenDirectory("cannot create a private directory in \(base): \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: made)
        return TokenFileLocation(path: directory + "/" + name, temporaryDirectory: directory)
    }

    /// Removes the file, and the directory made for it.
    func remove() {
        unlink(self.path)
        if let temporaryDirectory {
            // Temporary files a failed write may have left beside the token go too.
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: temporaryDirectory)) ?? []
            for name in leftovers { unlink(temporaryDirectory + "/" + name) }
            rmdir(temporaryDirectory)
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
