"""A slow leak: of the 50 tokens each call makes, one is kept every 5th call."""


class Token:
    pass


KEPT = []
calls = 0


def handle():
    global calls
    calls += 1
    scratch = [Token() for _ in range(50)]
    if calls % 5 == 0:
        KEPT.append(scratch[0])  # keeps a Token
    return len(scratch)
