import CPython

/// `pyrometer sample` in the registry.
extension Tool {
    public static let sample = Tool(
        name: "sample", result: SampleProfile.self,
        makeSession: { options in
            var chosen = SamplerOptions()
            if let rate = options.values["rate"], !rate.isNone {
                guard let value = rate.doubleValue else { throw PyrometerError("rate must be a number of samples per second") }
                chosen.rate = value
            }
            if let mode = options.values["mode"], !mode.isNone {
                guard let text = mode.stringValue, let value = SamplerOptions.Mode(rawValue: text) else {
                    throw PyrometerError("mode must be one of cpu, wall, gil")
                }
                chosen.mode = value
            }
            if let idle = options.values["idle"] { chosen.idle = !idle.isNone && PyObject_IsTrue(idle.pointer) == 1 }
            if let main = options.values["main_thread"] { chosen.mainThreadOnly = !main.isNone && PyObject_IsTrue(main.pointer) == 1 }
            if let problem = chosen.problem() { throw PyrometerError(problem.replacing("--", with: "")) }
            return SamplerSession(options: chosen)
        },
        render: { profile, options in
            return SampleSummaryReport(top: options.top ?? 15).render(profile)
        })
}
