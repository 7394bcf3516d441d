/// One frame of a stack as the pictures see it: a function of a file, running
/// at a line.
public struct FlameFrame: Hashable, Sendable {
    public var function: String
    public var file: String
    public var line: Int
    public var firstLine: Int

    public init(function: String, file: String, line: Int, firstLine: Int) {
        self.function = function
        self.file = file
        self.line = line
        self.firstLine = firstLine
    }
}

/// A stack (outermost frame first) with its weight: samples for the sampler,
/// bytes for memory.
public struct FlameStack: Sendable {
    public var frames: [FlameFrame]
    public var weight: Int64
    /// The time the weight stands for (0 when it is not time).
    public var nanoseconds: Int64
    /// The thread's index in `FlameTree.threads`.
    public var thread: Int

    public init(frames: [FlameFrame], weight: Int64, nanoseconds: Int64 = 0, thread: Int = 0) {
        self.frames = frames
        self.weight = weight
        self.nanoseconds = nanoseconds
        self.thread = thread
    }
}

/// The stack model every picture is drawn from: the stacks merged into a tree
/// of frames (one node per function and file under the same parent, or per
/// function, file and line), each with the weight of the stacks through it
/// (`total`) and of those ending in it (`own`). The flame graph, the icicle
/// view, the collapsed stacks and the HTML tables all read this tree; speedscope
/// and pprof read its `stacks`, which keep each thread apart.
public struct FlameTree: Sendable {
    public struct Node: Sendable {
        public var function: String
        public var file: String
        public var firstLine: Int
        /// The line, when the tree is split by line; nil when merged by function.
        public var line: Int?
        public var total: Int64 = 0
        public var own: Int64 = 0
        public var nanoseconds: Int64 = 0
        /// The weight of this frame by the line it was running.
        public var lines: [Int: Int64] = [:]
        public var children: [Int] = []
        public var parent: Int?
        public var depth: Int
    }

    /// What the weight counts: "samples" or "bytes".
    public var unit: String
    /// `nodes[0]` is the root: every stack, no frame of its own.
    public private(set) var nodes: [Node]
    public private(set) var stacks: [FlameStack]
    /// Thread names, by index (empty names for threads not known by name).
    public var threads: [String]

    public var total: Int64 { nodes[0].total }
    public var maxDepth: Int { nodes.map(\.depth).max() ?? 0 }

    /// A frame standing for a stack in which no Python frame was seen.
    public static let noFrame = FlameFrame(function: "[no Python frame]", file: "", line: 0, firstLine: 0)

    public init(stacks: [FlameStack], unit: String = "samples", threads: [String] = [], byLine: Bool = false) {
        self.unit = unit
        self.threads = threads
        self.stacks = []
        nodes = [Node(function: "all", file: "", firstLine: 0, line: nil, depth: 0)]
        struct Key: Hashable { var parent: Int; var function: String; var file: String; var line: Int? }
        var index: [Key: Int] = [:]
        for var stack in stacks where stack.weight > 0 {
            if stack.frames.isEmpty { stack.frames = [Self.noFrame] }
            self.stacks.append(stack)
            var current = 0
            nodes[0].total += stack.weight
            nodes[0].nanoseconds += stack.nanoseconds
            for frame in stack.frames {
                let key = Key(parent: current, function: frame.function, file: frame.file, line: byLine ? frame.line : nil)
                let child: Int
                if let found = index[key] {
                    child = found
                } else {
                    child = nodes.count
                    nodes.append(Node(function: frame.function, file: frame.file, firstLine: frame.firstLine,
                                      line: key.line, parent: current, depth: nodes[current].depth + 1))
                    nodes[current].children.append(child)
                    index[key] = child
                }
                nodes[child].total += stack.weight
                nodes[child].nanoseconds += stack.nanoseconds
                nodes[child].lines[frame.line, default: 0] += stack.weight
                current = child
            }
            nodes[current].own += stack.weight
        }
    }

    public enum Order: Sendable {
        /// Children by name, as flamegraph.pl draws them.
        case alphabetical
        /// The heaviest child first ("left heavy").
        case heaviestFirst
    }

    /// The children of `node` in the order asked for.
    public func children(of node: Int, _ order: Order) -> [Int] {
        let children = nodes[node].children
        switch order {
        case .alphabetical:
            return children.sorted {
                let (a, b) = (nodes[$0], nodes[$1])
                return (a.function, a.file, a.line ?? 0) < (b.function, b.file, b.line ?? 0)
            }
        case .heaviestFirst:
            return children.sorted {
                let (a, b) = (nodes[$0], nodes[$1])
                return a.total != b.total ? a.total > b.total : (a.function, a.file) < (b.function, b.file)
            }
        }
    }

    /// A node placed on the weight axis: it covers `start ..< start + total`.
    public struct Placement: Sendable {
        public var node: Int
        public var start: Int64
    }

    /// Every node but the root, placed side by side under its parent, parents
    /// before children.
    public func layout(_ order: Order) -> [Placement] {
        var placed: [Placement] = []
        var pending = [Placement(node: 0, start: 0)]
        while let next = pending.popLast() {
            if next.node != 0 { placed.append(next) }
            var start = next.start
            var row: [Placement] = []
            for child in children(of: next.node, order) {
                row.append(Placement(node: child, start: start))
                start += nodes[child].total
            }
            pending.append(contentsOf: row.reversed())
        }
        return placed
    }

    /// The frames from the root's child down to `node`, outermost first.
    public func path(to node: Int) -> [Int] {
        var path: [Int] = []
        var current: Int? = node
        while let at = current, at != 0 {
            path.append(at)
            current = nodes[at].parent
        }
        return path.reversed()
    }
}

extension FlameTree {
    /// The tree of a sample profile's stacks, merged over its threads. Indices
    /// that point nowhere (a damaged file) are left out, never trusted.
    public init(_ profile: SampleProfile, byLine: Bool = false) {
        let frames = profile.frames.map {
            FlameFrame(function: $0.function, file: $0.file, line: $0.line, firstLine: $0.firstLine)
        }
        let stacks = profile.stacks.map { stack in
            FlameStack(frames: stack.frames.compactMap { frames.indices.contains($0) ? frames[$0] : nil },
                       weight: max(stack.samples, 0), nanoseconds: max(stack.nanoseconds, 0),
                       thread: profile.threads.indices.contains(stack.thread) ? stack.thread : 0)
        }
        self.init(stacks: stacks, unit: "samples", threads: profile.threads.map(\.name), byLine: byLine)
    }
}
