import CPython

/// A set of object addresses as bits: one bit per 16 bytes of address space,
/// in 1 MiB regions whose bitmaps (8 KiB) are made when first needed and found
/// through a small open-addressing table. Objects made one after another lie
/// close together, so a walk that meets them in about that order tests bits of
/// a bitmap already in cache instead of probing a hash table the size of the
/// heap. No deletion: a census builds one and drops it.
struct AddressSet {
    private static let regionShift = 20
    private static let wordsPerRegion = (1 << (regionShift - 4)) / 64
    private var regions: UnsafeMutablePointer<UInt>          // region number + 1; 0: empty
    private var bitmaps: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    private var capacity = 256
    private var used = 0
    private var lastRegion: UInt = 0
    private var lastBitmap: UnsafeMutablePointer<UInt64>?

    init() {
        regions = .allocate(capacity: capacity)
        regions.initialize(repeating: 0, count: capacity)
        bitmaps = .allocate(capacity: capacity)
        bitmaps.initialize(repeating: nil, count: capacity)
    }

    func release() {
        for index in 0..<capacity { bitmaps[index]?.deallocate() }
        regions.deallocate()
        bitmaps.deallocate()
    }

    /// Adds `object`; true when it was not there yet.
    @inline(__always)
    mutating func insert(_ object: PyPointer) -> Bool {
        let address = UInt(bitPattern: object)
        let region = (address >> AddressSet.regionShift) &+ 1
        let bitmap: UnsafeMutablePointer<UInt64>
        if region == lastRegion, let last = lastBitmap {
            bitmap = last
        } else {
            bitmap = self.bitmap(of: region)
            lastRegion = region
            lastBitmap = bitmap
        }
        let bit = (address >> 4) & UInt((1 << (AddressSet.regionShift - 4)) - 1)
        let word = Int(bit >> 6)
        let mask = UInt64(1) << UInt64(bit & 63)
        if bitmap[word] & mask != 0 { return false }
        bitmap[word] |= mask
        return true
    }

    private mutating func bitmap(of region: UInt) -> UnsafeMutablePointer<UInt64> {
        var index = AddressSet.home(region, capacity)
        while regions[index] != 0 {
            if regions[index] == region { return bitmaps[index]! }
            index = (index + 1) & (capacity - 1)
        }
        if (used + 1) * 2 >= capacity {
            grow()
            return bitmap(of: region)
        }
        let bitmap = UnsafeMutablePointer<UInt64>.allocate(capacity: AddressSet.wordsPerRegion)
        bitmap.initialize(repeating: 0, count: AddressSet.wordsPerRegion)
        regions[index] = region
        bitmaps[index] = bitmap
        used += 1
        return bitmap
    }

    @inline(__always)
    private static func home(_ region: UInt, _ capacity: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(region) &* 0x9E37_79B9_7F4A_7C15) >> 40) & (capacity - 1)
    }

    private mutating func grow() {
        let oldRegions = regions, oldBitmaps = bitmaps, oldCapacity = capacity
        capacity <<= 1
        regions = .allocate(capacity: capacity)
        regions.initialize(repeating: 0, count: capacity)
        bitmaps = .allocate(capacity: capacity)
        bitmaps.initialize(repeating: nil, count: capacity)
        for old in 0..<oldCapacity where oldRegions[old] != 0 {
            var index = AddressSet.home(oldRegions[old], capacity)
            while regions[index] != 0 { index = (index + 1) & (capacity - 1) }
            regions[index] = oldRegions[old]
            bitmaps[index] = oldBitmaps[old]
        }
        oldRegions.deallocate()
        oldBitmaps.deallocate()
        lastBitmap = nil
        lastRegion = 0
    }
}
