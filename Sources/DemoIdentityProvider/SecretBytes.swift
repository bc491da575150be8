/// Compares two secrets in time that depends only on their lengths, not on where they first differ.
func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
    let left = Array(lhs.utf8)
    let right = Array(rhs.utf8)
    var difference: UInt8 = left.count == right.count ? 0 : 1
    for index in 0..<max(left.count, right.count) {
        let a = index < left.count ? left[index] : 0
        let b = index < right.count ? right[index] : 0
        difference |= a ^ b
    }
    return difference == 0
}

/// `count` random bytes as unpadded base64url, for refresh tokens and token ids.
func randomToken(bytes count: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    return base64URL(bytes)
}

func base64URL(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    var output: [UInt8] = []
    output.reserveCapacity((bytes.count * 4 + 2) / 3)
    var index = 0
    while index < bytes.count {
        let b0 = UInt32(bytes[index])
        let b1 = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
        let b2 = index + 2 < bytes.count ? UInt32(bytes[index + 2]) : 0
        let triple = b0 << 16 | b1 << 8 | b2
        let remaining = bytes.count - index
        output.append(alphabet[Int(triple >> 18 & 63)])
        output.append(alphabet[Int(triple >> 12 & 63)])
        if remaining > 1 { output.append(alphabet[Int(triple >> 6 & 63)]) }
        if remaining > 2 { output.append(alphabet[Int(triple & 63)]) }
        index += 3
    }
    return String(decoding: output, as: UTF8.self)
}
