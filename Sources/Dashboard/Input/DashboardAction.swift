/// What a key asks the dashboard to do (see ``KeyBinding/table``).
public enum DashboardAction: Sendable, Hashable {
    /// Refresh the selected provider's token now.
    case refreshSelected
    /// Refresh every provider's token now, after a confirmation.
    case refreshAll
    case nextProvider
    case previousProvider
    case nextPanel
    case previousPanel
    /// Show a longer time range.
    case rangeUp
    /// Show a shorter time range.
    case rangeDown
    /// Freeze or unfreeze the display; data keeps being collected.
    case togglePause
    /// Move the focus to the alerts list and back.
    case focusAlerts
    /// Open the selected provider's detail view (or close it).
    case detail
    /// Open the consumers view (or close it).
    case consumers
    /// Show or hide the help overlay.
    case help
    /// Close the overlay, dialog, view or focus that is open.
    case back
    case quit
}
