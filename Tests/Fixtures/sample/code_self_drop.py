"""Functions whose last reference goes away while they run (each deletes itself
from the namespace it was exec'd in): their code objects die as their frames are
cleared, and every exec pushes a new C-level frame. Sampled at 10 kHz the
program must end well (status 0) with frames named f, on their own lines."""
SOURCE = "def f(namespace, n):\n    del namespace['f']\n    total = 0\n    for i in range(n):\n        total += i\n    return total\n"

for r in range(20000):
    namespace = {}
    exec(compile(SOURCE, f"<f{r}>", "exec"), namespace)
    namespace["f"](namespace, 50)
