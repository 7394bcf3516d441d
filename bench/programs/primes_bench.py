"""The seed's primes function, called twice with n=200000; prints the time the
two calls took, measured inside the process so interpreter start-up does not count.
The pair is timed ROUNDS times (argv[1], default 5) and the fastest is printed, so
a noisy machine disturbs the figure less."""
import sys
import time

try:
    profile  # put into builtins by pyrometer lines / kernprof -l
except NameError:
    def profile(func):
        return func


@profile
def primes(n):
    if n==2:
        return [2]
    elif n<2:
        return []
    s=list(range(3,n+1,2))
    mroot = n ** 0.5
    half=(n+1)//2-1
    i=0
    m=3
    while m <= mroot:
        if s[i]:
            j=(m*m-3)//2
            s[j]=0
            while j<half:
                s[j]=0
                j+=m
        i=i+1
        m=2*i+3
    return [2]+[x for x in s if x]


rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
best = float("inf")
for _ in range(rounds):
    start = time.perf_counter()
    primes(200000)
    primes(200000)
    best = min(best, time.perf_counter() - start)
print(f"BENCH_SECONDS {best:.6f}", file=sys.stderr)
