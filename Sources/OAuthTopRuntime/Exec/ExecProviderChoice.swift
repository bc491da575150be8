/// Which provider's token `oauthtop exec` hands its command: the one named, or the only one configured.
public enum ExecProviderChoice {
    /// - Parameters:
    ///   - requested: `--provider`, if given.
    ///   - available: The configured providers.
    /// - Throws: ``ExecError`` (a usage error) naming the providers to choose from.
    public static func choose(requested: String?, available: [String]) throws(ExecError) -> String {
        let list = available.map { "'\($0)'" }.joined(separator: ", ")
        if let requested {
            guard available.contains(requested) else {
                throw .usage("no provider named '\(requested)' in the configuration; configured: \(list)")
            }
            return requested
        }
        switch available.count {
        case 1: return available[0]
        case 0: throw .usage("the configuration has no provider")
        default: throw .usage("several providers are configured (\(list)); choose one with --provider NAME")
        }
    }
}
