import FoundationEssentials

/// A `LineProfile` as line_profiler's own `.lprof` file, for tools that read
/// those (`python -m line_profiler FILE.lprof`, `line_profiler.load_stats`).
///
/// The file is a pickle, as line_profiler writes it: a `LineStats` object whose
/// `timings` map `(filename, first_lineno, function_name)` to a list of
/// `(lineno, nhits, time)` tuples (time in timer units, lines in order) and whose
/// `unit` is the seconds per timer unit. Loading a pickle can run any code its
/// writer chose, so such files are for readers who trust where they came from.
///
/// The pickle is written here, opcode by opcode (protocol 2, which every Python 3
/// reads), without Python: the class is named `line_profiler._line_profiler.LineStats`,
/// line_profiler's native stats class (5.x's `line_profiler.LineStats` derives
/// from it, and its reader takes either).
public enum LprofFile {
    public static func encode(_ profile: LineProfile) -> [UInt8] {
        var pickle = PickleWriter()
        pickle.protocolHeader()
        pickle.global(module: "line_profiler._line_profiler", name: "LineStats")
        pickle.emptyTuple()
        pickle.newObject()
        // The object's state: {"timings": {...}, "unit": ...}, set by BUILD.
        pickle.emptyDict()
        pickle.mark()
        pickle.string("timings")
        pickle.emptyDict()
        // Keys must be unique: two code objects with the same file, line and name
        // (a function defined twice on one line) are added up, as line_profiler does.
        var order: [Key] = []
        var merged: [Key: [Int: (hits: Int64, time: Int64)]] = [:]
        for function in profile.functions {
            let key = Key(file: function.file, firstLine: function.firstLine, name: function.name)
            if merged[key] == nil { order.append(key) }
            var lines = merged[key] ?? [:]
            for timing in function.lines {
                let sum = lines[timing.line] ?? (0, 0)
                lines[timing.line] = (sum.hits &+ timing.hits, sum.time &+ timing.time)
            }
            merged[key] = lines
        }
        if !order.isEmpty {
            pickle.mark()
            for key in order {
                pickle.string(key.file)
                pickle.int(Int64(key.firstLine))
                pickle.string(key.name)
                pickle.tuple3()
                pickle.emptyList()
                let lines = merged[key]!.sorted { $0.key < $1.key }
                if !lines.isEmpty {
                    pickle.mark()
                    for (line, sum) in lines {
                        pickle.int(Int64(line))
                        pickle.int(sum.hits)
                        pickle.int(sum.time)
                        pickle.tuple3()
                    }
                    pickle.appends()
                }
            }
            pickle.setItems()
        }
        pickle.string("unit")
        pickle.double(profile.timerUnit)
        pickle.setItems()
        pickle.build()
        pickle.stop()
        return pickle.bytes
    }

    /// Writes the profile to `path` as a `.lprof` file.
    public static func write(_ profile: LineProfile, to path: String) throws {
        do {
            try Data(encode(profile)).write(to: URL(fileURLWithPath: path))
        } catch {
            throw PyrometerError("cannot write '\(path)': \(error)")
        }
    }

    private struct Key: Hashable {
        let file: String
        let firstLine: Int
        let name: String
    }
}

/// The few pickle opcodes a `.lprof` file needs (see Python's `pickletools`).
struct PickleWriter {
    private(set) var bytes: [UInt8] = []

    mutating func protocolHeader() { bytes += [0x80, 2] }                 // PROTO 2
    mutating func global(module: String, name: String) {                  // GLOBAL
        bytes.append(UInt8(ascii: "c"))
        bytes += Array(module.utf8) + [0x0A] + Array(name.utf8) + [0x0A]
    }
    mutating func emptyTuple() { bytes.append(UInt8(ascii: ")")) }       // EMPTY_TUPLE
    mutating func newObject() { bytes.append(0x81) }                     // NEWOBJ: cls.__new__(cls, *args)
    mutating func emptyDict() { bytes.append(UInt8(ascii: "}")) }        // EMPTY_DICT
    mutating func emptyList() { bytes.append(UInt8(ascii: "]")) }        // EMPTY_LIST
    mutating func mark() { bytes.append(UInt8(ascii: "(")) }             // MARK
    mutating func setItems() { bytes.append(UInt8(ascii: "u")) }         // SETITEMS: pairs since MARK into the dict
    mutating func appends() { bytes.append(UInt8(ascii: "e")) }          // APPENDS: items since MARK onto the list
    mutating func build() { bytes.append(UInt8(ascii: "b")) }            // BUILD: the state into the object
    mutating func stop() { bytes.append(UInt8(ascii: ".")) }             // STOP

    mutating func tuple3() { bytes.append(0x87) }                        // TUPLE3: the last three values

    /// BINUNICODE: a 4-byte little-endian length, then UTF-8.
    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        bytes.append(UInt8(ascii: "X"))
        appendLittleEndian(UInt32(utf8.count))
        bytes += utf8
    }

    /// BININT1 / BININT for what fits, else LONG1 (little-endian two's complement).
    mutating func int(_ value: Int64) {
        if value >= 0 && value < 256 {
            bytes += [UInt8(ascii: "K"), UInt8(value)]
        } else if value >= Int64(Int32.min) && value <= Int64(Int32.max) {
            bytes.append(UInt8(ascii: "J"))
            appendLittleEndian(UInt32(bitPattern: Int32(value)))
        } else {
            var digits: [UInt8] = []
            var rest = value
            repeat {
                digits.append(UInt8(truncatingIfNeeded: rest))
                rest >>= 8
            } while !(rest == 0 && digits.last! < 0x80) && !(rest == -1 && digits.last! >= 0x80)
            bytes += [0x8A, UInt8(digits.count)] + digits
        }
    }

    /// BINFLOAT: 8 bytes, big-endian IEEE 754.
    mutating func double(_ value: Double) {
        bytes.append(UInt8(ascii: "G"))
        let bits = value.bitPattern
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
    }

    private mutating func appendLittleEndian(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}
