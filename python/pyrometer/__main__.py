"""``python -m pyrometer ...`` and the ``pyrometer`` console script: the command
line, run inside this interpreter (its virtualenv, its site-packages)."""
import sys

from . import _native


def main():
    engine = _native.load()
    if engine is None:
        sys.exit("pyrometer: error: the native engine (_pyrometer) is not installed for this Python "
                 "(pip install pyrometer, or build it with swift build)")
    sys.stdout.flush()
    sys.stderr.flush()
    engine.cli_main(sys.argv[1:])


if __name__ == "__main__":
    main()
