import numpy as np


@profile
def norm(n):
    a = np.arange(n, dtype=float)  # numpy-arange
    return float(np.sqrt((a * a).sum()))  # numpy-sum


print(round(norm(1000), 3))
