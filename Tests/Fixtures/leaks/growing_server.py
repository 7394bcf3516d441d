"""Planted leak for interval mode: a loop that keeps every request in a local list."""
import sys
import time


class Request:
    def __init__(self, number):
        self.number = number


def main(seconds):
    kept = []
    deadline = time.monotonic() + seconds
    number = 0
    while time.monotonic() < deadline:
        kept.append(Request(number))  # allocates a Request
        number += 1
        time.sleep(0.002)
    print("served", number)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
