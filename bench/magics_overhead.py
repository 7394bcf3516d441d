"""%lprun (IPython extension) next to `pyrometer lines` on the same function, in
one run: the primes workload alone, under `pyrometer lines` (@profile), and under
`%lprun -f primes` in a real InteractiveShell with the same engine (release
lib_pyrometer.so next to the binary), and the same calls in the shell without
the magic. Ratios are against the program alone; the magic's own cost is
%lprun / "IPython alone", to set beside pyrometer lines / alone."""
import os
import sys
from pathlib import Path

from benchlib import arguments, compare

HERE = Path(__file__).resolve().parent


def main():
    args = arguments()
    args.pyrometer = str(Path(args.pyrometer).resolve())
    programs = HERE / "programs"
    os.environ["PYROMETER_NATIVE"] = str(Path(args.pyrometer).resolve().parent / "lib_pyrometer.so")
    os.environ["PYTHONPATH"] = str(HERE.parent / "python")
    workloads = {
        "primes (line-dense)": {
            "alone": [sys.executable, programs / "primes_bench.py"],
            "pyrometer lines": [args.pyrometer, "lines", programs / "primes_bench.py"],
            "IPython alone": [sys.executable, programs / "primes_lprun.py", "--plain"],
            "%lprun": [sys.executable, programs / "primes_lprun.py"],
        },
    }
    print("Python %d.%d.%d, best of %d interleaved runs (seconds inside the process)" % (*sys.version_info[:3], args.repeat))
    compare(workloads, args.repeat, programs)


if __name__ == "__main__":
    main()
