import VigilCore

/// RFC 4648 base64, for records that are not valid UTF-8.
enum Base64 {
  static let alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  static func encode(_ bytes: [UInt8]) -> String { base64Encode(bytes) }

  static func decode(_ text: String) -> [UInt8]? {
    var table = [Int8](repeating: -1, count: 256)
    for (i, c) in alphabet.enumerated() { table[Int(c)] = Int8(i) }
    let chars = Array(text.utf8)
    guard chars.count % 4 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(chars.count / 4 * 3)
    var i = 0
    while i < chars.count {
      var n: UInt32 = 0
      var pad = 0
      for k in 0..<4 {
        let c = chars[i + k]
        if c == UInt8(ascii: "=") && i + 4 == chars.count && k >= 2 {
          pad += 1
          n <<= 6
          continue
        }
        guard pad == 0 else { return nil }
        let d = table[Int(c)]
        guard d >= 0 else { return nil }
        n = n << 6 | UInt32(d)
      }
      out.append(UInt8(n >> 16 & 0xFF))
      if pad < 2 { out.append(UInt8(n >> 8 & 0xFF)) }
      if pad < 1 { out.append(UInt8(n & 0xFF)) }
      i += 4
    }
    return out
  }
}
