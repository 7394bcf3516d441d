"""A timed function whose child process holds a known amount of memory.

main() starts a Python child that allocates 100 MiB (every page written), says
"ready" and waits for its stdin to close. Known answer: with --include-children
the Mem usage after the `ready` line is about 100 MiB above the one after the
Popen line, and falls back after the `gone` line; without it, it stays flat.
"""
import subprocess
import sys

CHILD = ("import sys; block = b'x' * (100 << 20); "
         "sys.stdout.write('ready\\n'); sys.stdout.flush(); sys.stdin.read()")


@profile
def main():
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # started
    child.stdout.readline()  # ready
    child.stdin.close()  # closed
    child.wait()  # gone
    return child.returncode


if __name__ == "__main__":
    print(main())
