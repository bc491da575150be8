#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves user and group names of a sink's `owner` and `group` to ids, with the system's user
/// database (`getpwnam_r`, `getgrnam_r`); numeric ids are taken as they are.
enum AccountLookup {
    /// The uid of `text`: a number, or a user name that exists here.
    static func userID(_ text: String) -> UInt32? {
        if let id = UInt32(text) { return id }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwnam_r(text, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_uid
    }

    /// The gid of `text`: a number, or a group name that exists here.
    static func groupID(_ text: String) -> UInt32? {
        if let id = UInt32(text) { return id }
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getgrnam_r(text, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }
}
