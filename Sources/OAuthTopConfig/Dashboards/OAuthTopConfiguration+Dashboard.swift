import Dashboard
import Foundation

extension OAuthTopConfiguration {
    /// The dashboard file of `dashboard:`, a relative path taken from the configuration file's directory (as
    /// rule files are); `nil` when none is named.
    public func dashboardPath(configPath: String?) -> String? {
        guard let path = self.dashboard else { return nil }
        let directory = configPath.map { ($0 as NSString).deletingLastPathComponent } ?? ""
        return path.hasPrefix("/") || directory.isEmpty ? path : directory + "/" + path
    }

    /// The dashboard to draw: the named dashboard file's first dashboard, or the default one.
    ///
    /// - Throws: `ConfigError` with every problem of the dashboard file.
    public func dashboardDefinition(
        configPath: String?, fileReader: FileReader = .fileSystem
    ) throws(ConfigError)
        -> DashboardDefinition
    {
        guard let path = self.dashboardPath(configPath: configPath) else { return DashboardFile.defaultDashboard() }
        return try DashboardFile.load(path: path, fileReader: fileReader)
    }
}
