"""Uses `from pyrometer import profile`, which also works under plain python."""
from pyrometer import profile


@profile
def double(x):
    return 2 * x  # double-body


print(sum(double(i) for i in range(6)))
