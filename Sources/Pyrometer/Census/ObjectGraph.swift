/// A drawing of objects and their references, as objgraph draws them: the
/// objects the walk started from, then each object met (breadth first) with its
/// label, colour and the references drawn from it. `Reports/DotGraphReport`
/// writes it in Graphviz's language.
public struct ObjectGraph: Codable, Sendable {
    public struct Edge: Codable, Sendable {
        public var source: String
        public var target: String
        /// Text on the arrow (a dict key, an attribute), if any.
        public var label: String? = nil
        /// How strongly Graphviz keeps the two ends together, if set.
        public var weight: Int? = nil
    }

    public struct Node: Codable, Sendable {
        /// Graphviz node name (`o` + the object's id).
        public var id: String
        /// The text in the box: type name, short description, extra lines.
        public var label: String
        /// More Graphviz attributes, as (name, value).
        public var attributes: [[String]] = []
        /// Fill colour as hue, saturation, value in 0...1.
        public var hsv: [Double]
        /// The object's class defines `__del__` (drawn as a red mark).
        public var hasDel = false
        /// The references drawn from this node's expansion.
        public var edges: [Edge] = []
        /// References left out past the `too_many` limit, and their mark's colour.
        public var skipped = 0
        public var skippedHSV: [Double] = [0, 1, 1]

        enum CodingKeys: String, CodingKey {
            case id, label, attributes, hsv, edges, skipped
            case hasDel = "has_del"
            case skippedHSV = "skipped_hsv"
        }
    }

    /// The objects the drawing started from (drawn in red).
    public var starts: [String]
    public var nodes: [Node]
    /// True when arrows were followed backwards (who refers to the starts).
    public var backwards: Bool
}
