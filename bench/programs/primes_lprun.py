"""The primes workload of primes_bench.py under %lprun in a real IPython shell:
`%lprun -f primes` around the same two calls, ROUNDS times; prints the fastest
time the profiled calls took (inside the magic, without its printing), as
primes_bench.py does. With `--plain` the same calls run in the same shell without
the magic: the baseline of the magic's cost (a shell's heap makes the program's
own garbage collections slower than in plain Python)."""
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
plain = "--plain" in sys.argv
numbers = [argument for argument in sys.argv[1:] if argument.isdigit()]
rounds = int(numbers[0]) if numbers else 5
statement = "start = time.perf_counter(); primes(200000); primes(200000); best = min(best, time.perf_counter() - start)"
for _ in range(rounds):
    with capture_output():
        if plain:
            shell.run_cell(statement)
        else:
            shell.run_line_magic("lprun", "-f primes " + statement)
print(f"BENCH_SECONDS {shell.user_ns['best']:.6f}", file=sys.stderr)
