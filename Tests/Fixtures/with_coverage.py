"""coverage.py and a pyrometer lines session in one process, in both orders.

1. coverage starts first, then the session: both see f(100): the session counts
   101 hits on the for line and 100 on its body; coverage marks f's lines.
2. The session starts first, then coverage: coverage still marks g's lines. On
   3.11 coverage's C tracer replaces pyrometer's trace function from C, which
   pyrometer cannot chain to: the session's result says so in its notes. On 3.12+
   the two do not meet and the hits are exact (51 and 50).
Prints both cases as JSON.
"""
import json

import coverage

from pyrometer._session import Session


def f(n):
    total = 0  # f-total
    for i in range(n):  # f-for
        total += i  # f-body
    return total  # f-return


def g(n):
    total = 0  # g-total
    for i in range(n):  # g-for
        total += i  # g-body
    return total  # g-return


def hits(result):
    return {str(line["line"]): line["hits"] for function in result["functions"] for line in function["lines"]}


first = coverage.Coverage(data_file=None)
first.start()
session = Session("lines")
session.add(f)
session.start()
f(100)
session.stop()
first.stop()
case1 = {"hits": hits(session.result()), "notes": session.result().get("notes"),
         "covered": sorted(first.get_data().lines(__file__) or [])}

session = Session("lines")
session.add(g)
session.start()
second = coverage.Coverage(data_file=None)
second.start()
g(50)
second.stop()
session.stop()
case2 = {"hits": hits(session.result()), "notes": session.result().get("notes"),
         "covered": sorted(second.get_data().lines(__file__) or [])}
print(json.dumps({"coverage_first": case1, "pyrometer_first": case2}))
