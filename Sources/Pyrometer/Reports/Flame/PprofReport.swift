/// pprof's `profile.proto` (perftools.profiles.Profile), encoded by hand and
/// gzipped: sample types `samples/count` and `cpu/nanoseconds` (`wall/...` in
/// wall mode, `space/bytes` for memory), one Location per function and line
/// holding one Line, one Function per function and file (name, file, first
/// line), one Sample per stack with its location ids innermost first and a
/// `thread` label, and the period and duration.
public struct PprofReport {
    /// The second sample type: "cpu" or "wall" (nanoseconds), or "space" (bytes).
    public var timeType: String
    /// Nanoseconds between samples (1e9 / rate); 0 when unknown.
    public var periodNanoseconds: Int64
    public var durationNanoseconds: Int64
    public var comments: [String]

    public init(timeType: String = "cpu", periodNanoseconds: Int64 = 0, durationNanoseconds: Int64 = 0, comments: [String] = []) {
        self.timeType = timeType
        self.periodNanoseconds = periodNanoseconds
        self.durationNanoseconds = durationNanoseconds
        self.comments = comments
    }

    /// The Profile message, not compressed.
    public func profile(_ tree: FlameTree) -> [UInt8] {
        var strings = [""]
        var stringIndex = ["": 0]
        func string(_ text: String) -> UInt64 {
            if let found = stringIndex[text] { return UInt64(found) }
            strings.append(text)
            stringIndex[text] = strings.count - 1
            return UInt64(strings.count - 1)
        }
        struct FunctionKey: Hashable { var name: String; var file: String }
        struct LocationKey: Hashable { var function: Int; var line: Int }
        var functions: [FunctionKey: Int] = [:]
        var functionList: [(key: FunctionKey, firstLine: Int)] = []
        var locations: [LocationKey: Int] = [:]
        var locationList: [LocationKey] = []

        var message = ProtobufWriter()
        let bytes = tree.unit == "bytes"
        let countType = bytes ? ("objects", "count") : ("samples", "count")
        let valueType = bytes ? ("space", "bytes") : (timeType, "nanoseconds")
        for (type, unit) in [countType, valueType] {
            message.message(1) { $0.uint(1, string(type)); $0.uint(2, string(unit)) }
        }
        for stack in tree.stacks {
            var ids: [UInt64] = []
            for frame in stack.frames.reversed() {
                let functionKey = FunctionKey(name: frame.function, file: frame.file)
                let function: Int
                if let found = functions[functionKey] {
                    function = found
                } else {
                    functionList.append((functionKey, frame.firstLine))
                    function = functionList.count
                    functions[functionKey] = function
                }
                let locationKey = LocationKey(function: function, line: frame.line)
                if let found = locations[locationKey] {
                    ids.append(UInt64(found))
                } else {
                    locationList.append(locationKey)
                    locations[locationKey] = locationList.count
                    ids.append(UInt64(locationList.count))
                }
            }
            let thread = tree.threads.indices.contains(stack.thread) ? tree.threads[stack.thread] : ""
            message.message(2) { sample in
                sample.packed(1, ids)
                // bytes: the weight is bytes and the count is not known; samples: the count, then the time.
                sample.packed(2, bytes ? [0, UInt64(bitPattern: stack.weight)]
                                       : [UInt64(bitPattern: stack.weight), UInt64(bitPattern: stack.nanoseconds)])
                sample.message(3) { label in
                    label.uint(1, string("thread"))
                    label.uint(2, string(thread.isEmpty ? "thread \(stack.thread)" : thread))
                }
            }
        }
        for (position, location) in locationList.enumerated() {
            message.message(4) { entry in
                entry.uint(1, UInt64(position + 1))
                entry.message(4) { line in
                    line.uint(1, UInt64(location.function))
                    line.uint(2, UInt64(bitPattern: Int64(location.line)))
                }
            }
        }
        for (position, function) in functionList.enumerated() {
            message.message(5) { entry in
                entry.uint(1, UInt64(position + 1))
                entry.uint(2, string(function.key.name))
                entry.uint(3, string(function.key.name))
                entry.uint(4, string(function.key.file))
                entry.uint(5, UInt64(bitPattern: Int64(function.firstLine)))
            }
        }
        let commentIndices = comments.map(string)
        let periodType = bytes ? ("space", "bytes") : (timeType, "nanoseconds")
        let periodTypeStrings = (string(periodType.0), string(periodType.1))
        for text in strings { message.string(6, text) }
        if durationNanoseconds > 0 { message.uint(10, UInt64(durationNanoseconds)) }
        message.message(11) { $0.uint(1, periodTypeStrings.0); $0.uint(2, periodTypeStrings.1) }
        if periodNanoseconds > 0 { message.uint(12, UInt64(periodNanoseconds)) }
        if !commentIndices.isEmpty { message.packed(13, commentIndices) }
        return message.bytes
    }

    /// The gzipped file `go tool pprof` reads.
    public func gzipped(_ tree: FlameTree) -> [UInt8] {
        Gzip.compress(profile(tree))
    }
}

/// The protobuf wire format, the part pprof needs: varints (wire type 0) and
/// length-delimited fields (wire type 2: strings, packed varints, messages).
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private mutating func key(_ field: Int, _ wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

    /// A varint field; zero is the default and is left out.
    mutating func uint(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        key(field, 0)
        varint(value)
    }

    mutating func lengthDelimited(_ field: Int, _ payload: [UInt8]) {
        key(field, 2)
        varint(UInt64(payload.count))
        bytes += payload
    }

    /// A string field, written even when empty (string_table[0] must be "").
    mutating func string(_ field: Int, _ text: String) { lengthDelimited(field, Array(text.utf8)) }

    mutating func packed(_ field: Int, _ values: [UInt64]) {
        var inner = ProtobufWriter()
        for value in values { inner.varint(value) }
        lengthDelimited(field, inner.bytes)
    }

    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        lengthDelimited(field, inner.bytes)
    }
}
