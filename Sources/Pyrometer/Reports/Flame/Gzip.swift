/// gzip (RFC 1952) around a deflate stream (RFC 1951) written here, without
/// zlib: one block of LZ77 matches coded with deflate's fixed Huffman codes, or
/// stored blocks when those come out smaller (data that does not compress).
enum Gzip {
    static func compress(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]  // deflate, no flags, no time, unknown OS
        let fixed = Deflate.fixedBlock(data)
        out += fixed.count < Deflate.storedSize(data.count) ? fixed : Deflate.storedBlocks(data)
        out += littleEndian(CRC32.checksum(data))
        out += littleEndian(UInt32(truncatingIfNeeded: data.count))
        return out
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
    }
}

/// The two deflate encodings pyrometer writes.
enum Deflate {
    /// Bytes of `storedBlocks` for `count` bytes of data.
    static func storedSize(_ count: Int) -> Int { count + max(1, (count + 65534) / 65535) * 5 }

    /// Stored blocks (BTYPE 00): the data as it is, 65535 bytes a block.
    static func storedBlocks(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(storedSize(data.count))
        var offset = 0
        repeat {
            let count = min(65535, data.count - offset)
            out.append(offset + count == data.count ? 1 : 0)  // BFINAL, BTYPE 00, padding to the byte
            out += [UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            out += data[offset..<offset + count]
            offset += count
        } while offset < data.count
        return out
    }

    static let lengthBases: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBases: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                                       4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// Length (3...258) -> index into `lengthBases`.
    static let lengthCode: [Int] = (0...258).map { length in
        length < 3 ? 0 : (lengthBases.lastIndex { $0 <= length } ?? 0)
    }

    static let window = 32768
    static let minimumMatch = 3
    static let maximumMatch = 258
    static let maximumChain = 64

    /// One final block with the fixed Huffman codes (BTYPE 01), matches found
    /// through hash chains over the last 32 KiB.
    static func fixedBlock(_ data: [UInt8]) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, count: 1)  // BFINAL
        bits.write(1, count: 2)  // BTYPE 01
        let hashSize = 1 << 15
        var head = [Int32](repeating: -1, count: hashSize)
        var previous = [Int32](repeating: -1, count: window)
        func hash(_ at: Int) -> Int {
            (Int(data[at]) << 10 ^ Int(data[at + 1]) << 5 ^ Int(data[at + 2])) & (hashSize - 1)
        }
        func insert(_ at: Int) {
            guard at + 2 < data.count else { return }
            let key = hash(at)
            previous[at & (window - 1)] = head[key]
            head[key] = Int32(at)
        }
        var at = 0
        while at < data.count {
            var bestLength = 0
            var bestDistance = 0
            if at + minimumMatch <= data.count {
                var candidate = Int(head[hash(at)])
                var steps = 0
                let limit = min(maximumMatch, data.count - at)
                while candidate >= 0, at - candidate <= window, steps < maximumChain {
                    var length = 0
                    while length < limit && data[candidate + length] == data[at + length] { length += 1 }
                    if length > bestLength {
                        bestLength = length
                        bestDistance = at - candidate
                        if length == limit { break }
                    }
                    let next = Int(previous[candidate & (window - 1)])
                    if next >= candidate { break }  // the slot was reused by a newer position
                    candidate = next
                    steps += 1
                }
            }
            if bestLength >= minimumMatch {
                writeLength(bestLength, &bits)
                writeDistance(bestDistance, &bits)
                for position in at..<at + bestLength { insert(position) }
                at += bestLength
            } else {
                writeSymbol(Int(data[at]), &bits)
                insert(at)
                at += 1
            }
        }
        writeSymbol(256, &bits)  // end of block
        return bits.finish()
    }

    /// A literal/length symbol in the fixed code (RFC 1951, 3.2.6).
    static func writeSymbol(_ symbol: Int, _ bits: inout BitWriter) {
        switch symbol {
        case 0..<144: bits.writeCode(0x30 + symbol, length: 8)
        case 144..<256: bits.writeCode(0x190 + symbol - 144, length: 9)
        case 256..<280: bits.writeCode(symbol - 256, length: 7)
        default: bits.writeCode(0xC0 + symbol - 280, length: 8)
        }
    }

    static func writeLength(_ length: Int, _ bits: inout BitWriter) {
        let code = lengthCode[length]
        writeSymbol(257 + code, &bits)
        if lengthExtra[code] > 0 { bits.write(UInt64(length - lengthBases[code]), count: lengthExtra[code]) }
    }

    static func writeDistance(_ distance: Int, _ bits: inout BitWriter) {
        let code = distanceBases.lastIndex { $0 <= distance } ?? 0
        bits.writeCode(code, length: 5)
        if distanceExtra[code] > 0 { bits.write(UInt64(distance - distanceBases[code]), count: distanceExtra[code]) }
    }
}

/// Bits packed from the least significant bit of each byte, as deflate wants.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var count = 0

    mutating func write(_ value: UInt64, count bits: Int) {
        buffer |= value << UInt64(count)
        count += bits
        while count >= 8 {
            bytes.append(UInt8(buffer & 0xFF))
            buffer >>= 8
            count -= 8
        }
    }

    /// A Huffman code, whose bits go most significant first.
    mutating func writeCode(_ code: Int, length: Int) {
        var reversed: UInt64 = 0
        for bit in 0..<length where code & (1 << bit) != 0 { reversed |= 1 << UInt64(length - 1 - bit) }
        write(reversed, count: length)
    }

    mutating func finish() -> [UInt8] {
        if count > 0 { bytes.append(UInt8(buffer & 0xFF)) }
        buffer = 0
        count = 0
        return bytes
    }
}

/// CRC-32 as gzip and zip use it (reflected polynomial 0xEDB88320).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { byte in
        var value = UInt32(byte)
        for _ in 0..<8 { value = value & 1 != 0 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }
}
