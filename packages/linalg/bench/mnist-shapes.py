#!/usr/bin/env python3
"""The five products of the MNIST training step (batch 128, 784 -> 512 relu -> 10) in NumPy, for mnist-shapes.ts.

Usage: python3 mnist-shapes.py X_FILE
X_FILE holds the batch x as 128*784 little-endian float32 (what the TypeScript bench multiplies); weights and
gradients are random float32 as there. Prints one JSON line: the OpenBLAS build and thread count, and for each
thread count (1, then OpenBLAS's default) the median seconds per call of each product.
"""

import ctypes
import json
import os
import sys
import time

import numpy as np


def openblas():
    """(name, get_threads, set_threads) of the OpenBLAS this process loaded, or None."""
    try:
        with open("/proc/self/maps") as maps:
            libs = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})
    except OSError:
        return None
    for lib in libs:
        try:
            handle = ctypes.CDLL(lib)
        except OSError:
            continue
        for prefix, suffix in (("scipy_", "64_"), ("", ""), ("", "64_"), ("scipy_", "")):
            try:
                get = getattr(handle, f"{prefix}openblas_get_num_threads{suffix}")
                put = getattr(handle, f"{prefix}openblas_set_num_threads{suffix}")
                config = getattr(handle, f"{prefix}openblas_get_config{suffix}")
                core = getattr(handle, f"{prefix}openblas_get_corename{suffix}")
            except AttributeError:
                continue
            config.restype = core.restype = ctypes.c_char_p
            get.restype = ctypes.c_int
            name = f"{os.path.basename(lib)}: {config().decode().strip()} ({core().decode()})"
            return name, (lambda: int(get())), (lambda n: put(ctypes.c_int(n)))
    return None


def seconds_per_call(fn, samples=15):
    """Median seconds per call over `samples` batches of at least 20 ms, after a warm-up."""
    for _ in range(20):
        fn()
    reps = 1
    while True:
        t = time.perf_counter()
        for _ in range(reps):
            fn()
        if time.perf_counter() - t >= 0.02:
            break
        reps *= 2
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        for _ in range(reps):
            fn()
        times.append((time.perf_counter() - t) / reps)
    return sorted(times)[len(times) // 2]


def main():
    x = np.fromfile(sys.argv[1], dtype="<f4").reshape(128, 784)
    rng = np.random.default_rng(7)
    w1 = rng.uniform(-0.07, 0.07, (784, 512)).astype(np.float32)
    w2 = rng.uniform(-0.1, 0.1, (512, 10)).astype(np.float32)
    h = np.maximum(x @ w1, 0).astype(np.float32)
    g = rng.uniform(-0.01, 0.01, (128, 10)).astype(np.float32)
    gz = ((g @ w2.T) * (h > 0)).astype(np.float32)
    products = [
        ("x·W1", lambda: x @ w1),
        ("h·W2", lambda: h @ w2),
        ("g·W2ᵀ", lambda: g @ w2.T),
        ("hᵀ·g", lambda: h.T @ g),
        ("xᵀ·gz", lambda: x.T @ gz),
    ]
    blas = openblas()
    default = blas[1]() if blas else None
    runs = {}
    for threads in [1, default] if blas and default and default > 1 else [default]:
        if blas and threads:
            blas[2](threads)
        runs[str(threads)] = {name: seconds_per_call(fn) for name, fn in products}
    if blas and default:
        blas[2](default)
    print(json.dumps({"numpy": np.__version__, "blas": blas[0] if blas else "unknown", "threads": default, "runs": runs}))


if __name__ == "__main__":
    main()
