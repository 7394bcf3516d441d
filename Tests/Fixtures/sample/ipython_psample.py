"""%psample and %%psample in a real IPython InteractiveShell; prints, as JSON,
what each printed and what -r returned: the summary names spin as the top
function, and a bad option is a UsageError."""
import json

from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

ip = InteractiveShell.instance()
ip.run_line_magic("load_ext", "pyrometer")
ip.run_cell('''
def spin(n):
    total = 0
    for i in range(n):
        total += i
    return total
''')


def captured(run):
    with capture_output() as out:
        value = run()
    return out.stdout + out.stderr, value


line_text, _ = captured(lambda: ip.run_line_magic("psample", "--rate 2000 spin(2_000_000)"))
cell_text, profile = captured(lambda: ip.run_cell_magic("psample", "--mode gil -r", "spin(1_000_000)\nspin(1_000_000)"))
error_text, _ = captured(lambda: ip.run_cell("%psample --mode fast spin(10)"))
ip.run_line_magic("unload_ext", "pyrometer")
print(json.dumps({"line": line_text, "cell": cell_text, "mode": profile.mode, "top": profile.functions()[0][0],
                  "error": error_text, "after_unload": "psample" in ip.magics_manager.magics["line"]}))
