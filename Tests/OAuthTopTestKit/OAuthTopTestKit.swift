/// Test support shared by oauthtop's test targets, as `MetricsTestKit` is for swift-metrics: waiting for a
/// condition with a deadline, a scripted token endpoint, loopback ports, log capture and the tags that mark
/// slow suites.
///
/// Only test targets depend on it; production targets must not. It holds no assertions about oauthtop's
/// behaviour, only the means to observe it.
