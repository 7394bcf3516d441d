"""Drives a real IPython InteractiveShell through pyrometer's magics and prints
what each printed, as JSON: {"lprun": text, "lprun_cell": text, "mprun": text,
"memit": text, "memit_cell": text, "ptimeit": text, "ptimeit_cell": text,
"error": text, "show_backrefs": kind and first bytes, "after_unload": {...}}.

Known answers: primes(1000) runs its while line 500 times and its body 499 times;
big() allocates 10 MiB then 5 MiB and frees the 5 MiB; %memit of a 50 MiB
bytearray has an increment of 50 MiB.
"""
import json
import sys

from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

ip = InteractiveShell.instance()
ip.run_line_magic("load_ext", "pyrometer")
ip.run_cell('''
def primes(n):
    if n == 2:
        return [2]
    s = list(range(3, n + 1, 2))
    i = 0
    while i < len(s):
        i += 1
    return s

def big():
    a = bytearray(10 * 2**20)
    b = bytearray(5 * 2**20)
    del b
    return a
''')


def captured(run):
    with capture_output() as out:
        run()
    return out.stdout + out.stderr


printed = {
    "lprun": captured(lambda: ip.run_line_magic("lprun", "-u 1e-6 -f primes primes(1000)")),
    "lprun_cell": captured(lambda: ip.run_cell_magic("lprun", "-f primes", "primes(1000)\nprimes(1000)")),
    "mprun": captured(lambda: ip.run_line_magic("mprun", "-f big keep = big()")),
    "memit": captured(lambda: ip.run_line_magic("memit", "bytearray(50 * 2**20)")),
    "memit_cell": captured(lambda: ip.run_cell_magic("memit", "size = 20 * 2**20", "bytearray(size)")),
    "ptimeit": captured(lambda: ip.run_line_magic("ptimeit", "-n 100 -r 3 sum(range(100))")),
    "ptimeit_cell": captured(lambda: ip.run_cell_magic("ptimeit", "-n 100 -r 3", "sum(range(10))\nsum(range(1000))")),
    "error": captured(lambda: ip.run_cell("%lprun -f no_such_function primes(10)")),
}
ip.run_cell("import pyrometer; drawn = pyrometer.show_backrefs([primes], max_depth=2)")
printed["show_backrefs"] = type(ip.user_ns["drawn"]).__name__ + " " + ip.user_ns["drawn"].data[:8].hex()
ip.run_line_magic("unload_ext", "pyrometer")
after = {name: name in ip.magics_manager.magics["line"] for name in ("lprun", "mprun", "memit", "ptimeit")}
after["trace"] = repr(sys.gettrace())
if hasattr(sys, "monitoring"):
    after["monitoring"] = [sys.monitoring.get_tool(tool) for tool in range(6)]
printed["after_unload"] = after
print(json.dumps(printed))
