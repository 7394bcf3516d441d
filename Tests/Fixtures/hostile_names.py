"""Names, reprs and source lines with control bytes (ESC, BEL, BS, DEL, CSI), for
the escaping of every report. The raw bytes are in this file on purpose."""


class Hostile:
    """Objects whose repr and type name carry terminal escape sequences."""
    def __init__(self, number):
        self.number = number

    def __repr__(self):
        return "\x1b[31mred\x07\x08\x7f<&>\"" + str(self.number)


Hostile.__name__ = Hostile.__qualname__ = "Hostile\x1b[2J"
KEPT = []

try:
    profile
except NameError:  # imported by `leaks --call`, which may not define it
    def profile(function):
        return function


@profile
def handle(count=20):
    total = 0  # ESC:[31m BEL: BS: DEL: CSI:
    for number in range(count):
        KEPT.append(Hostile(number))
        total += number
    return total


def renamed(count):
    block = bytearray(count)
    return block


# A function whose name carries an escape sequence, quotes and markup.
renamed.__code__ = renamed.__code__.replace(co_name="renamed\x1b[1m", co_qualname='renamed\x1b[1m"<&>')
renamed = profile(renamed)


if __name__ == "__main__":
    handle()
    handle()
    KEPT.append(renamed(1_000_000))  # 3 MB held to the end: first in --top
