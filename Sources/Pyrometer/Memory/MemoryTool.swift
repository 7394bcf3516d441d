/// `pyrometer memory` in the registry.
extension Tool {
    public static let memory = Tool(
        name: "memory", result: MemoryProfile.self,
        nativeMethods: MemorySession.nativeMethods,
        makeSession: { options in
            MemorySession(selection: FunctionSelection(functions: try options.strings("functions"), modules: try options.strings("modules")),
                          keepTop: options.int("top") ?? 50, keepTimeline: false)
        },
        render: { profile, options in
            guard let unit = MemoryTableReport.Unit(rawValue: options.unit ?? profile.unit ?? "MiB") else {
                throw PyrometerError("-u/--unit must be one of B, KiB, MiB, GiB for a memory result")
            }
            return MemoryTableReport(unit: unit, showPeak: options.peak, top: options.top ?? 0,
                                     showSummary: !options.tablesOnly).render(profile)
        })
}
