import ArgumentParser
import Pyrometer

/// The pictures of a sample profile (`--flamegraph`, `--html`, `--speedscope`,
/// `--collapsed`, `--pprof`), shared by `pyrometer sample` and `pyrometer view`:
/// checked before the program runs, written from the result at its end.
struct SampleOutputOptions: ParsableArguments {
    /// Throws a one-line error for a path that cannot be written.
    func checkWritable() throws {}

    /// Writes every file asked for.
    func write(_ profile: SampleProfile) throws {}
}
