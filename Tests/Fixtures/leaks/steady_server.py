"""No leak for interval mode: a loop whose objects live one iteration."""
import sys
import time


def main(seconds):
    deadline = time.monotonic() + seconds
    number = 0
    while time.monotonic() < deadline:
        batch = [{"n": n} for n in range(50)]
        number += len(batch)
        time.sleep(0.002)
    print("served", number)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
