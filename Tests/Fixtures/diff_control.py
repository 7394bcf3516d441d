"""Control flow for the differential test against line_profiler."""


@profile
def branches(n):
    evens = odds = 0
    for i in range(n):
        if i % 2 == 0:
            evens += 1
        elif i % 3 == 0:
            odds += 1
        else:
            continue
    return evens, odds


@profile
def nested_loops(n):
    total = 0
    for i in range(n):
        for j in range(i):
            if j > 5:
                break
            total += j
    k = 0
    while True:
        k += 1
        if k >= n:
            break
    return total + k


@profile
def comprehensions(n):
    squares = [i * i for i in range(n)]
    evens = [x
             for x in squares
             if x % 2 == 0]
    table = {i: str(i) for i in range(n)}
    total = sum(x for x in squares)
    return len(evens) + len(table) + total


@profile
def exceptions(n):
    caught = 0
    for i in range(n):
        try:
            if i % 3 == 0:
                raise KeyError(i)
            value = 10 // (i % 4)
        except KeyError:
            caught += 1
        except ZeroDivisionError:
            caught += 2
        finally:
            caught += 0
    return caught


@profile
def context_managers(n):
    import contextlib
    with contextlib.suppress(ValueError):
        for i in range(n):
            if i == n - 1:
                raise ValueError(i)
    return n


@profile
def recursive(n):
    if n <= 1:
        return 1
    return n * recursive(n - 1)


@profile
def multi_line_call(n):
    result = max(n,
                 1,
                 2)
    return result


for _ in range(3):
    branches(50)
    nested_loops(20)
    comprehensions(30)
    exceptions(12)
    context_managers(5)
    recursive(15)
    multi_line_call(4)
