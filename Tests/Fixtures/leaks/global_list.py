"""Planted leak: a module-global list that grows on every call."""


class Record:
    def __init__(self, number):
        self.number = number
        self.tags = ("new", number)


HISTORY = []


def handle(count=25):
    for number in range(count):
        HISTORY.append(Record(number))  # allocates a Record
