"""Shared timing helper of the benchmark scripts."""

import time


def best_of(fn, repeat: int = 5) -> float:  # noqa: ANN001
    """The fastest of ``repeat`` runs of ``fn()``, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)
