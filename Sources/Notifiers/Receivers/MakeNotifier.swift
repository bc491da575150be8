import AsyncHTTPClient
import Primitives

/// Builds the notifier for `settings`.
///
/// - Parameters:
///   - name: The notifier's name.
///   - settings: Its kind and fields; `delivery.attemptTimeout` bounds each request or command run.
///   - httpClient: The client HTTP notifiers post with.
///   - lineWriter: Where the stdout notifier writes; standard output by default.
/// - Returns: The notifier.
public func makeNotifier(
    name: String,
    settings: NotifierSettings,
    httpClient: HTTPClient,
    lineWriter: JSONLineWriter? = nil
) -> any Notifier {
    let timeout = settings.delivery.attemptTimeout
    switch settings.kind {
    case .stdout:
        return StdoutNotifier(name: name, writer: lineWriter ?? JSONLineWriter())
    case .slack(let url):
        return SlackNotifier(name: name, url: url, httpClient: httpClient, timeout: timeout)
    case .alertmanager(let url):
        return AlertmanagerNotifier(name: name, baseURL: url, httpClient: httpClient, timeout: timeout)
    case .pagerDuty(let routingKey, let url):
        return PagerDutyNotifier(
            name: name, routingKey: routingKey, url: url ?? PagerDutyNotifier.defaultURL,
            httpClient: httpClient, timeout: timeout
        )
    case .webhook(let url, let headers):
        return WebhookNotifier(name: name, url: url, headers: headers, httpClient: httpClient, timeout: timeout)
    case .command(let argv):
        return CommandNotifier(name: name, argv: argv, timeout: timeout)
    }
}
