"""Calls primes(1000) once, for `pyrometer lines -f primes` and `pyrometer memory -f primes`."""
from primes import primes

primes(1000)
