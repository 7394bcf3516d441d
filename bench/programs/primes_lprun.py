"""The primes workload of primes_bench.py under %lprun in a real IPython shell:
`%lprun -f primes` around the same two calls, ROUNDS times; prints the fastest
time the profiled calls took (inside the magic, without its printing), as
primes_bench.py does."""
import builtins
import sys
from pathlib import Path

builtins.profile = lambda func: func  # primes.py is decorated; %lprun chooses it with -f
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))

from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

shell = InteractiveShell.instance()
shell.run_line_magic("load_ext", "pyrometer")
shell.run_cell("import time\nfrom primes import primes\nbest = float('inf')")
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
for _ in range(rounds):
    with capture_output():
        shell.run_line_magic("lprun", "-f primes start = time.perf_counter(); primes(200000); primes(200000); "
                                      "best = min(best, time.perf_counter() - start)")
print(f"BENCH_SECONDS {shell.user_ns['best']:.6f}", file=sys.stderr)
