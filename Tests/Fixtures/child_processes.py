"""Makes child processes three ways, from the timed function main: a
multiprocessing Pool of 2 with the "fork" start method, one with "spawn", and
subprocess.run of `python -c "print(6*7)"` (its output goes straight to this
program's stdout).

Known answer, under plain Python and under pyrometer: it prints
  fork 285
  spawn 285
  42
(285 = the sum of the squares of 0..9) and exits with status 0.
"""
import multiprocessing
import subprocess
import sys


def square(x):
    return x * x


def main():
    for method in ("fork", "spawn"):
        with multiprocessing.get_context(method).Pool(2) as pool:
            print(method, sum(pool.map(square, range(10))), flush=True)
    subprocess.run([sys.executable, "-c", "print(6*7)"], check=True)


if __name__ == "__main__":
    main()
