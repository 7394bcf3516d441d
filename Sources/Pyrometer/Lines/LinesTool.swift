/// `pyrometer lines` in the registry.
extension Tool {
    public static let lines = Tool(
        name: "lines", result: LineProfile.self,
        nativeMethods: ChosenFunctions.nativeMethods,
        makeSession: { options in
            LineSession(selection: FunctionSelection(functions: try options.strings("functions"), modules: try options.strings("modules")))
        },
        render: { profile, options in
            let seconds = try options.unit.map { text -> Double in
                guard let value = Double(text), value > 0, value.isFinite else {
                    throw PyrometerError("-u/--unit must be a positive number of seconds for a lines result")
                }
                return value
            } ?? profile.outputUnit ?? 1e-6
            return LineTableReport(outputUnit: seconds, skipZero: options.skipZero).render(profile)
        })
}
