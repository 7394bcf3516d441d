"""Reports how it was started, and checks that subprocesses and multiprocessing work."""
import json
import multiprocessing
import os
import subprocess
import sys


def square(x):
    return x * x


if __name__ == "__main__":
    child = subprocess.run([sys.executable, "-c", "import sys; print(sys.version_info[:2])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        squares = pool.map(square, range(5))
    print(json.dumps({
        "argv": sys.argv,
        "path0": sys.path[0],
        "executable": sys.executable,
        "name": __name__,
        "file": __file__,
        "child": child,
        "squares": squares,
        "prefix": sys.prefix,
    }))
