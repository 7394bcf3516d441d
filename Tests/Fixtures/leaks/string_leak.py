"""Planted leak: plain strings, which the garbage collector does not track."""

LOG = []


def handle():
    for number in range(30):
        LOG.append("event %d happened at step %d" % (number, len(LOG)))  # allocates a str
