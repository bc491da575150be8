import Logging
import OAuthTopTestKit
import Testing

@testable import OAuthTopRuntime

/// The token socket servers' log handler, which hands metadata to the wrapped handler only with a message.
@Suite("Token socket: deferred log metadata")
struct DeferredMetadataLogHandlerTests {
    @Test("metadata set on the logger, the wrapped logger's and a message's all reach the line; the level is kept")
    func metadataReachesTheLine() throws {
        let capture = LogCapture()
        var base = capture.logger(label: "socket", level: .info)
        base[metadataKey: "server"] = "token-socket"
        var logger = Logger(label: "socket") { _ in DeferredMetadataLogHandler(wrapping: base) }
        logger[metadataKey: "hb.request.id"] = "42"
        #expect(logger[metadataKey: "server"] == "token-socket")
        #expect(logger.logLevel == .info)
        logger.debug("below the level")
        logger.info("served", metadata: ["server": "given"])
        logger.warning("again")
        let entries = capture.entries
        #expect(entries.count == 2)
        let first = try #require(entries.first)
        #expect(first.metadata["hb.request.id"] == "42")
        #expect(first.metadata["server"] == "given", "a message's metadata wins")
        #expect(entries.last?.metadata["server"] == "token-socket")
    }
}
