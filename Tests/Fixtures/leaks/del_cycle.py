"""Planted leak: reference cycles with __del__, kept alive by a global registry."""

REGISTRY = {}


class Session:
    def __init__(self, number):
        self.number = number
        self.peer = Peer(self)  # Session <-> Peer cycle

    def __del__(self):
        pass


class Peer:
    def __init__(self, owner):
        self.owner = owner


def handle():
    for _ in range(4):
        session = Session(len(REGISTRY))  # allocates a Session
        REGISTRY[session.number] = session
