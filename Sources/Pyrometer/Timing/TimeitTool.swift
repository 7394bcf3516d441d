/// `pyrometer timeit` in the registry. Timing runs at once when asked (there is
/// nothing to install around other code), so it has no session.
extension Tool {
    public static let timeit = Tool(
        name: "timeit", result: TimeitResult.self,
        nativeMethods: TimingNativeMethods.methods,
        render: { result, options in
            if let unit = options.unit, TimeFormat.scale(of: unit) == nil {
                throw PyrometerError("-u/--unit must be one of nsec, usec, msec, sec for a timeit result")
            }
            return TimeitTextReport(unit: options.unit ?? result.unit).render(result)
        })
}
