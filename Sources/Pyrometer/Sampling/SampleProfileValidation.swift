/// A result file is input from anywhere: before a profile is rendered its
/// numbers are checked, so a hand-edited or hostile file is one clear error,
/// never a crash or an endless loop.
extension SampleProfile {
    /// The most rows of each kind a profile may hold.
    public static let maximumRows = 5_000_000
    /// The deepest stack a profile may hold.
    public static let maximumDepth = 100_000

    public func validate() throws {
        func fail(_ problem: String) -> PyrometerError { PyrometerError("is not a valid sample profile: \(problem)") }
        guard !mode.isEmpty, ["cpu", "wall", "gil"].contains(mode) else { throw fail("mode '\(mode)' is not cpu, wall or gil") }
        for (name, value) in [("rate", rate), ("requestedRate", requestedRate), ("duration", duration)] {
            guard value.isFinite, value >= 0 else { throw fail("\(name) is \(value)") }
        }
        guard samplesExpected >= 0, samplesTaken >= 0 else { throw fail("negative sample counts") }
        var dropped: Int64 = 0
        for (reason, count) in samplesDropped {
            guard count >= 0 else { throw fail("samplesDropped[\(reason)] is negative") }
            let (sum, overflow) = dropped.addingReportingOverflow(count)
            guard !overflow else { throw fail("samplesDropped does not fit in 64 bits") }
            dropped = sum
        }
        guard frames.count <= Self.maximumRows, stacks.count <= Self.maximumRows, threads.count <= Self.maximumRows,
              sources.count <= Self.maximumRows else { throw fail("more than \(Self.maximumRows) rows") }
        for (index, frame) in frames.enumerated() {
            guard frame.line >= 0, frame.firstLine >= 0 else { throw fail("frame \(index) has a negative line") }
        }
        var samples: Int64 = 0
        var nanoseconds: Int64 = 0
        var cells = 0
        for (index, stack) in stacks.enumerated() {
            guard stack.samples >= 0, stack.nanoseconds >= 0 else { throw fail("stack \(index) has negative samples or time") }
            guard threads.indices.contains(stack.thread) else { throw fail("stack \(index) names thread \(stack.thread), of \(threads.count)") }
            guard stack.frames.count <= Self.maximumDepth else { throw fail("stack \(index) is deeper than \(Self.maximumDepth) frames") }
            cells += stack.frames.count
            guard cells <= Self.maximumRows * 4 else { throw fail("more than \(Self.maximumRows * 4) frames in all stacks") }
            for frame in stack.frames where !frames.indices.contains(frame) {
                throw fail("stack \(index) names frame \(frame), of \(frames.count)")
            }
            let (s, o1) = samples.addingReportingOverflow(stack.samples)
            let (n, o2) = nanoseconds.addingReportingOverflow(stack.nanoseconds)
            guard !o1, !o2 else { throw fail("the samples or times of the stacks do not fit in 64 bits") }
            samples = s
            nanoseconds = n
        }
        var sourceLines = 0
        for lines in sources.values {
            sourceLines += lines.count
            guard sourceLines <= Self.maximumRows else { throw fail("more than \(Self.maximumRows) source lines") }
        }
    }
}
