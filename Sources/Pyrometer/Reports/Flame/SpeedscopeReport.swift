import FoundationEssentials

/// speedscope's file format: the frames once in `shared.frames` (name, file,
/// the function's first line), and one "sampled" profile per thread whose
/// samples are stacks of frame indices, outermost first, with their weights
/// (nanoseconds when the profile has times, else sample counts; stacks that
/// differ only in their lines are merged, as speedscope's frames have no line
/// of their own).
public struct SpeedscopeReport {
    public var name: String

    public init(name: String) { self.name = name }

    struct File: Encodable {
        var schema = "https://www.speedscope.app/file-format-schema.json"
        var shared: Shared
        var profiles: [Profile]
        var name: String
        var activeProfileIndex = 0
        var exporter = "pyrometer \(PyrometerVersion.string)"

        enum CodingKeys: String, CodingKey {
            case schema = "$schema", shared, profiles, name, activeProfileIndex, exporter
        }
    }

    struct Shared: Encodable { var frames: [Frame] }

    struct Frame: Encodable, Hashable {
        var name: String
        var file: String?
        var line: Int?
    }

    struct Profile: Encodable {
        var type = "sampled"
        var name: String
        var unit: String
        var startValue: Int64 = 0
        var endValue: Int64
        var samples: [[Int]]
        var weights: [Int64]
    }

    public func json(_ tree: FlameTree) throws -> Data {
        var frames: [Frame] = []
        var index: [Frame: Int] = [:]
        func frameIndex(_ frame: FlameFrame) -> Int {
            let key = Frame(name: frame.function, file: frame.file.isEmpty ? nil : frame.file,
                            line: frame.firstLine > 0 ? frame.firstLine : nil)
            if let found = index[key] { return found }
            frames.append(key)
            index[key] = frames.count - 1
            return frames.count - 1
        }
        let timed = tree.stacks.allSatisfy { $0.nanoseconds > 0 } && !tree.stacks.isEmpty
        let unit = tree.unit == "bytes" ? "bytes" : timed ? "nanoseconds" : "none"
        var profiles: [Profile] = []
        let threads = Array(Set(tree.stacks.map(\.thread))).sorted()
        for thread in threads {
            // Stacks that differ only in lines are one stack of speedscope's frames.
            var samples: [[Int]] = []
            var weights: [Int64] = []
            var position: [[Int]: Int] = [:]
            for stack in tree.stacks where stack.thread == thread {
                let sample = stack.frames.map(frameIndex)
                let weight = unit == "nanoseconds" ? stack.nanoseconds : stack.weight
                if let found = position[sample] {
                    weights[found] += weight
                } else {
                    position[sample] = samples.count
                    samples.append(sample)
                    weights.append(weight)
                }
            }
            let threadName = tree.threads.indices.contains(thread) ? tree.threads[thread] : ""
            profiles.append(Profile(name: threadName.isEmpty ? "thread \(thread)" : threadName, unit: unit,
                                    endValue: weights.reduce(0, +), samples: samples, weights: weights))
        }
        if profiles.isEmpty {
            profiles.append(Profile(name: name, unit: unit, endValue: 0, samples: [], weights: []))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(File(shared: Shared(frames: frames), profiles: profiles, name: name))
    }
}
