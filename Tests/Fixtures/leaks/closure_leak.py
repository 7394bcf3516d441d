"""Planted leak: a closure that captures a growing list."""


def make_handler():
    seen = []

    def handle():
        for _ in range(20):
            seen.append(bytearray(16))  # allocates a bytearray
    return handle


handle = make_handler()
