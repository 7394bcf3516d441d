"""Execs and drops thousands of short-lived functions while sampled: their code
objects are freed (and their memory reused) between samples and the naming of
samples. Function short_lived_R is defined R % 40 blank lines down its source, so
a frame named short_lived_R must have first line R % 40 + 1 and a line within
its four lines of body: a name given to another function's code would show."""
import gc

SOURCE = "def short_lived_{r}(n):\n    total = 0\n    for i in range(n):\n        total += i\n    return total\n"

for r in range(4000):
    namespace = {}
    exec("\n" * (r % 40) + SOURCE.format(r=r), namespace)
    namespace[f"short_lived_{r}"](3000)
    del namespace
    if r % 200 == 0:
        gc.collect()
