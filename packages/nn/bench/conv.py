#!/usr/bin/env python3
"""The three convolutions of the demo's convnet in PyTorch on the CPU, for conv.ts: the same arrays, timed alike.

Usage: python3 conv.py DIR
DIR holds manifest.json ({"samples": N, "layers": {name: {array: {"file", "shape"}}}}) and, per layer, x
[n, h, w, c], k [kh, kw, c, f], ct [n, oh, ow, f] (the output cotangent) and nabla's out, dx and dk, as
little-endian float32 in Keras's layouts (NHWC, HWIO). They are converted once to PyTorch's NCHW and OIHW; then
torch.nn.functional.conv2d (valid padding, stride 1) is timed forward (under no_grad) and backward (autograd.grad
of the recorded output with the cotangent: dx, dk, and both in one call), on 1 intra-op thread and on every core
this process may use. Prints one JSON line: versions, PyTorch's default thread count, per thread count the median
seconds per call of each layer's passes and the cores' worth of CPU other processes used meanwhile (from
/proc/stat), and per layer and pass max |nabla - PyTorch| / max |PyTorch|.
"""

import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F


def seconds_per_call(fn, samples):
    """Median seconds per call over `samples` batches of at least 20 ms, after a warm-up of 200 ms and 3 calls."""
    started, calls = time.perf_counter(), 0
    while calls < 3 or time.perf_counter() - started < 0.2:
        fn()
        calls += 1
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
    return float(np.median(times))


def machine_busy_seconds():
    """CPU seconds the whole machine has been busy (all cores), or None off Linux."""
    try:
        with open("/proc/stat") as stat:
            user, nice, system, _, _, irq, softirq = (int(v) for v in stat.readline().split()[1:8])
        return (user + nice + system + irq + softirq) / 100
    except (OSError, ValueError):
        return None


def own_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def nchw(a):
    """Keras's NHWC images as PyTorch's NCHW."""
    return a.permute(0, 3, 1, 2).contiguous()


def oihw(a):
    """Keras's kernel [kh, kw, in, out] as PyTorch's [out, in, kh, kw]."""
    return a.permute(3, 2, 0, 1).contiguous()


def main():
    directory = Path(sys.argv[1])
    manifest = json.loads((directory / "manifest.json").read_text())

    def load(entry):
        return torch.from_numpy(np.fromfile(directory / entry["file"], dtype="<f4").reshape(entry["shape"]).copy())

    layers = {}
    for name, files in manifest["layers"].items():
        a = {key: load(entry) for key, entry in files.items()}
        layers[name] = {
            "x": nchw(a["x"]),
            "k": oihw(a["k"]),
            "ct": nchw(a["ct"]),
            "nabla": {"forward": nchw(a["out"]), "dx": nchw(a["dx"]), "dk": oihw(a["dk"])},
        }

    def calls(layer):
        x = layer["x"].clone().requires_grad_(True)
        k = layer["k"].clone().requires_grad_(True)
        out = F.conv2d(x, k)
        ct = layer["ct"]

        def forward():
            with torch.no_grad():
                return F.conv2d(layer["x"], layer["k"])

        return {
            "forward": forward,
            "dx": lambda: torch.autograd.grad(out, x, ct, retain_graph=True),
            "dk": lambda: torch.autograd.grad(out, k, ct, retain_graph=True),
            "dx+dk": lambda: torch.autograd.grad(out, (x, k), ct, retain_graph=True),
        }

    errors = {}
    for name, layer in layers.items():
        c = calls(layer)
        dx, dk = c["dx+dk"]()
        mine = {"forward": c["forward"](), "dx": dx, "dk": dk}
        rel = {p: float((t - layer["nabla"][p]).abs().max() / t.abs().max()) for p, t in mine.items()}
        errors[name] = {**rel, "dx+dk": max(rel["dx"], rel["dk"])}

    default_threads = torch.get_num_threads()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    runs = []
    for threads in sorted({1, cores}):
        torch.set_num_threads(threads)
        busy, cpu, started = machine_busy_seconds(), own_cpu_seconds(), time.perf_counter()
        seconds = {}
        for name, layer in layers.items():
            c = calls(layer)
            seconds[name] = {p: seconds_per_call(fn, manifest["samples"]) for p, fn in c.items()}
        wall = time.perf_counter() - started
        after = machine_busy_seconds()
        other = None if busy is None or after is None else max(0.0, after - busy - (own_cpu_seconds() - cpu)) / wall
        runs.append({"threads": threads, "seconds": seconds, "other": other})
    torch.set_num_threads(default_threads)
    print(
        json.dumps(
            {
                "version": torch.__version__,
                "python": f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})",
                "default_threads": default_threads,
                "mkldnn": torch.backends.mkldnn.is_available(),
                "runs": runs,
                "errors": errors,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
