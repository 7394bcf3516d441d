/// `pyrometer leaks` and the census functions behind objgraph's API, in the registry.
extension Tool {
    public static let leaks = Tool(
        name: "leaks", result: LeakReport.self,
        nativeMethods: CensusNativeMethods.methods + LeaksNativeMethods.methods + DominatorNativeMethods.methods,
        render: { report, _ in LeakTextReport().render(report) })
}
