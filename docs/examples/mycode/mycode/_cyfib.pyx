# cython: language_level=3
"""A Cython module: Fibonacci numbers with C integers."""


def fib(int n):
    cdef long long a = 0, b = 1
    cdef int i
    for i in range(n):
        a, b = b, a + b
    return a
