import Hummingbird
import NIOCore

/// The request context of the provider's listeners: Hummingbird's basic context plus the connection.
///
/// Why it exists: the `lost_answer` fault must drop the connection of a request it has processed, without
/// any response, as a network or a proxy that loses the answer would; only the channel can do that.
struct DemoRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection the request arrived on.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = CoreRequestContextStorage(source: source)
        self.channel = source.channel
    }
}
