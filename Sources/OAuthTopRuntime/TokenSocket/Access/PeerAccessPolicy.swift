import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who may use the Unix token socket: the daemon's own user, and the members of one configured
/// group (the peer's group is that group, or the peer's user is listed in it or has it as its
/// primary group).
///
/// File permissions on the socket are the first barrier; this check, on the kernel's `SO_PEERCRED`
/// answer, is the second, so a socket made group- or world-writable by mistake still serves no one
/// else.
public struct PeerAccessPolicy: Sendable, Hashable {
    /// The daemon's user.
    public var ownerUID: UInt32
    /// The group whose members may connect too.
    public var groupID: UInt32?

    public init(ownerUID: UInt32 = getuid(), groupID: UInt32? = nil) {
        self.ownerUID = ownerUID
        self.groupID = groupID
    }

    /// Whether `peer` may use the socket; the reason when not.
    public func check(_ peer: SocketPeer?) -> String? {
        guard let peer, let uid = peer.uid else {
            return "the peer's credentials are unavailable (SO_PEERCRED), so it is refused"
        }
        if uid == self.ownerUID { return nil }
        if let groupID = self.groupID {
            if peer.gid == groupID || Self.isMember(uid: uid, ofGroup: groupID) { return nil }
            return "uid \(uid) is neither the daemon's user (uid \(self.ownerUID)) nor in its group (gid \(groupID))"
        }
        return "uid \(uid) is not the daemon's user (uid \(self.ownerUID)); a `socket.group` lets a group in"
    }

    /// Whether the user `uid` has `gid` as its primary group or is listed in the group.
    static func isMember(uid: UInt32, ofGroup gid: UInt32) -> Bool {
        guard let user = Self.user(uid) else { return false }
        if user.primaryGroup == gid { return true }
        return Self.members(ofGroup: gid).contains(user.name)
    }

    private static func user(_ uid: UInt32) -> (name: String, primaryGroup: UInt32)? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwuid_r(uid_t(uid), &entry, &buffer, buffer.count, &result) == 0, result != nil,
            let name = entry.pw_name
        else { return nil }
        return (String(cString: name), UInt32(entry.pw_gid))
    }

    private static func members(ofGroup gid: UInt32) -> [String] {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 65_536)
        guard getgrgid_r(gid_t(gid), &entry, &buffer, buffer.count, &result) == 0, result != nil,
            var member = entry.gr_mem
        else { return [] }
        var names: [String] = []
        while let name = member.pointee {
            names.append(String(cString: name))
            member += 1
        }
        return names
    }

    /// Resolves a group name or numeric id, as written in `socket.group`.
    ///
    /// - Returns: The group id, or `nil` when no such group exists on this machine.
    public static func groupID(named text: String) -> UInt32? {
        if let number = UInt32(text) { return number }
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 65_536)
        guard getgrnam_r(text, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return UInt32(entry.gr_gid)
    }
}
