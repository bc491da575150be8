import HTTPTypes
import OAuthTopConfig

/// The proxy's bounded in-memory response cache: least recently used entries are evicted beyond ``maxEntries``
/// entries or ``maxBytes`` bytes.
///
/// A value type without locks: the owner (``QuotaGuard``) keeps it under its own. Entries are found by method,
/// request target and the values of the fields the stored response named in `Vary` (``CacheKey``); when a response
/// for the same method and target arrives with another `Vary`, the variants stored under the old one are dropped.
/// Stale entries are dropped when they are looked up; their bytes count until then (and until evicted).
public struct ResponseCache: Sendable {
    public let maxEntries: Int
    public let maxBytes: Int
    /// Bytes held now (bodies and header fields).
    public private(set) var bytes = 0

    private struct Node {
        var key: CacheKey
        var response: CachedResponse
        var size: Int
        /// Neighbours in recency order: `newer` towards ``head``, `older` towards ``tail``.
        var newer: Int?
        var older: Int?
    }

    private var nodes: [Node?] = []
    private var free: [Int] = []
    private var index: [CacheKey: Int] = [:]
    /// Each method and target's `Vary` names and how many variants are stored under them.
    private var variants: [CacheKey.Primary: (vary: VaryNames, count: Int)] = [:]
    /// Most recently used.
    private var head: Int?
    /// Least recently used: evicted first.
    private var tail: Int?

    /// An empty cache with the bounds of `settings`.
    public init(settings: ProxySettings.Cache) {
        self.init(maxEntries: settings.maxEntries, maxBytes: settings.maxBytes)
    }

    /// An empty cache holding at most `maxEntries` entries and `maxBytes` bytes.
    public init(maxEntries: Int, maxBytes: Int) {
        self.maxEntries = max(0, maxEntries)
        self.maxBytes = max(0, maxBytes)
    }

    /// Entries held now.
    public var count: Int { self.index.count }

    /// The fresh response stored for a request, marked as used; `nil` when there is none (a stale one is dropped).
    ///
    /// - Parameters:
    ///   - method: The request's method.
    ///   - target: Its path and query as the client sent them.
    ///   - request: Its header fields (for `Vary`).
    ///   - now: Unix nanoseconds.
    mutating func lookup(_ primary: CacheKey.Primary, request: HTTPFields, now: Int64) -> CachedResponse? {
        guard let vary = self.variants[primary]?.vary else { return nil }
        let key = CacheKey(primary, vary: vary, request: request)
        guard let position = self.index[key], let node = self.nodes[position] else { return nil }
        guard node.response.isFresh(now: now) else {
            self.remove(at: position)
            return nil
        }
        self.touch(position)
        return node.response
    }

    /// Stores `response` for a request, replacing what was stored under the same key, then evicts least recently
    /// used entries until the bounds hold. A response larger than ``maxBytes`` is not stored.
    ///
    /// - Returns: Whether it was stored.
    @discardableResult
    mutating func insert(
        _ response: CachedResponse,
        for primary: CacheKey.Primary,
        vary: VaryNames,
        request: HTTPFields
    ) -> Bool {
        let size = response.size + primary.target.utf8.count
        guard self.maxEntries > 0, size <= self.maxBytes else { return false }
        if let stored = self.variants[primary], stored.vary != vary {
            // The resource now varies on other fields: what was stored under the old ones cannot be found again.
            for (key, position) in self.index where key.primary == primary { self.remove(at: position) }
        }
        let key = CacheKey(primary, vary: vary, request: request)
        if let position = self.index[key] { self.remove(at: position) }

        let node = Node(key: key, response: response, size: size, newer: nil, older: self.head)
        let position: Int
        if let reused = self.free.popLast() {
            position = reused
            self.nodes[position] = node
        } else {
            position = self.nodes.count
            self.nodes.append(node)
        }
        if let head = self.head { self.nodes[head]?.newer = position }
        self.head = position
        if self.tail == nil { self.tail = position }
        self.index[key] = position
        self.variants[primary] = (vary, (self.variants[primary]?.count ?? 0) + 1)
        self.bytes += size

        while self.index.count > self.maxEntries || self.bytes > self.maxBytes, let oldest = self.tail {
            self.remove(at: oldest)
        }
        return true
    }

    /// Drops everything.
    public mutating func removeAll() {
        self = ResponseCache(maxEntries: self.maxEntries, maxBytes: self.maxBytes)
    }

    // MARK: - The recency list

    private mutating func touch(_ position: Int) {
        guard self.head != position else { return }
        self.unlink(position)
        self.nodes[position]?.newer = nil
        self.nodes[position]?.older = self.head
        if let head = self.head { self.nodes[head]?.newer = position }
        self.head = position
        if self.tail == nil { self.tail = position }
    }

    private mutating func unlink(_ position: Int) {
        guard let node = self.nodes[position] else { return }
        if let newer = node.newer { self.nodes[newer]?.older = node.older } else { self.head = node.older }
        if let older = node.older { self.nodes[older]?.newer = node.newer } else { self.tail = node.newer }
    }

    private mutating func remove(at position: Int) {
        guard let node = self.nodes[position] else { return }
        self.unlink(position)
        self.nodes[position] = nil
        self.free.append(position)
        self.index[node.key] = nil
        self.bytes -= node.size
        if let stored = self.variants[node.key.primary] {
            self.variants[node.key.primary] = stored.count > 1 ? (stored.vary, stored.count - 1) : nil
        }
    }
}
