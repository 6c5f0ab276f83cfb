/// The POSIX ustar framing of packed shards (docs/DESIGN.md §11): every member is a 512-byte header followed by its
/// data padded with zeros to a multiple of 512; the archive ends with two zero blocks. Only regular files are written.
enum TarFormat {
    static let block = 512

    /// Bytes a member of `size` data bytes takes, header and padding included.
    static func memberSize(_ size: Int) -> Int { block + padded(size) }

    /// `size` rounded up to whole blocks.
    static func padded(_ size: Int) -> Int { (size + block - 1) / block * block }

    /// The ustar header of a regular file `name` (at most 100 ASCII bytes) of `size` bytes, mode 0644, owner 0,
    /// modification time `mtime` (seconds since 1970).
    static func header(name: String, size: Int, mtime: Int = 0) -> [UInt8] {
        precondition(name.utf8.count <= 100, "TarFormat: member name longer than 100 bytes: \(name)")
        var h = [UInt8](repeating: 0, count: block)
        func put(_ text: String, at offset: Int) { for (i, c) in text.utf8.enumerated() { h[offset + i] = c } }
        func octal(_ value: Int, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset)   // NUL-terminated
        }
        put(name, at: 0)
        octal(0o644, at: 100, width: 8)
        octal(0, at: 108, width: 8)
        octal(0, at: 116, width: 8)
        octal(size, at: 124, width: 12)
        octal(mtime, at: 136, width: 12)
        put("        ", at: 148)              // checksum field counts as spaces while summing
        h[156] = UInt8(ascii: "0")              // regular file
        put("ustar", at: 257)                   // magic "ustar\0", version "00"
        put("00", at: 263)
        put("root", at: 265)
        put("root", at: 297)
        let sum = h.reduce(0) { $0 + Int($1) }
        let digits = String(sum, radix: 8)
        put(String(repeating: "0", count: max(0, 6 - digits.count)) + digits, at: 148)
        h[154] = 0
        h[155] = UInt8(ascii: " ")
        return h
    }

    /// The name and size a header announces, or nil when the block is not a valid ustar header (bad checksum).
    static func parse(_ h: UnsafeRawBufferPointer) -> (name: String, size: Int)? {
        guard h.count >= block else { return nil }
        var sum = 0
        for i in 0..<block { sum += (148..<156).contains(i) ? 32 : Int(h[i]) }
        func field(_ offset: Int, _ width: Int) -> [UInt8] { Array(h[offset..<offset + width].prefix { $0 != 0 }) }
        func octal(_ offset: Int, _ width: Int) -> Int? {
            let text = String(decoding: field(offset, width), as: UTF8.self).trimmingSpaces
            return Int(text, radix: 8)
        }
        guard let stored = octal(148, 8), stored == sum, let size = octal(124, 12) else { return nil }
        return (String(decoding: field(0, 100), as: UTF8.self), size)
    }
}

private extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
