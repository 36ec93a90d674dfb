#!/usr/bin/env python3
"""Interoperability oracle for @nabla/io (run by test/reference.test.ts).

Uses only NumPy, json and struct, plus the `safetensors` package for the live modes when it can be
imported. Every tensor travels as its dtype, shape and raw little-endian bytes in hex, so
comparisons are bit for bit.

  interop.py probe                 exit 0 if `import safetensors` works, else 3 with the reason
  interop.py numpy-read FILE       read FILE with struct + json + NumPy (an independent reader)
  interop.py numpy-write FILE      write the sample tensors with struct + json + NumPy (unpadded header)
  interop.py st-read FILE          read FILE with safetensors.numpy.load_file (+ metadata via safe_open)
  interop.py st-write FILE         write the sample tensors with safetensors.numpy.save_file
  interop.py fixture DIR           write DIR/samples.safetensors with save_file and DIR/samples.json, its
                                   description plus each tensor's values (as strings) and the package version

Reading modes print {"metadata": {...}, "tensors": {name: {"dtype", "shape", "hex"}}} as JSON.
"""
import json
import struct
import sys

import numpy as np

# safetensors dtype names for the NumPy dtypes the samples use
ST_OF_NP = {
    "bool": "BOOL", "uint8": "U8", "int8": "I8", "int16": "I16", "uint16": "U16", "float16": "F16",
    "int32": "I32", "uint32": "U32", "float32": "F32", "float64": "F64", "int64": "I64", "uint64": "U64",
}
NP_OF_ST = {v: k for k, v in ST_OF_NP.items()}


def samples():
    """Tensors of every dtype nabla reads, with edge values (NaN, -0, infinities, subnormals, extremes)."""
    f32 = np.array([np.nan, -0.0, np.inf, -np.inf, 1e-45, 3.4028235e38, -1.5], dtype="<f4")
    f64 = np.array([np.nan, -0.0, np.inf, 5e-324, 1.7976931348623157e308, np.pi], dtype="<f8")
    return {
        "weights.kernel": f32.reshape(7, 1),
        "weights.double": f64.reshape(2, 3),
        "int32": np.array([-2147483648, -1, 0, 2147483647], dtype="<i4").reshape(2, 2),
        "uint8": np.array([0, 1, 254, 255], dtype="u1"),
        "flags": np.array([True, False, True], dtype="bool"),
        "scalar": np.array(2.5, dtype="<f4"),
        "empty": np.zeros((2, 0), dtype="<f4"),
        "half": np.array([1.0, -2.0, 65504.0, 6e-8, np.inf], dtype="<f2"),
        "int8": np.array([-128, 127], dtype="i1"),
        "int16": np.array([-32768, 32767], dtype="<i2"),
        "uint16": np.array([0, 65535], dtype="<u2"),
        "int64": np.array([-2147483648, 2147483647], dtype="<i8"),
    }


METADATA = {"format": "np", "note": "h\u00e9llo \u2603"}


def describe(tensors, metadata):
    out = {}
    for name, a in tensors.items():
        a = np.asarray(a, order="C")
        out[name] = {"dtype": ST_OF_NP[a.dtype.name], "shape": list(a.shape), "hex": a.astype(a.dtype.newbyteorder("<")).tobytes().hex()}
    return {"metadata": metadata or {}, "tensors": out}


def numpy_read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = np.dtype(NP_OF_ST[info["dtype"]]).newbyteorder("<")
        tensors[name] = np.frombuffer(data[base + begin : base + end], dtype=dtype).reshape(info["shape"])
    return describe(tensors, metadata)


def numpy_write(path):
    tensors = samples()
    entries, chunks, offset = {"__metadata__": METADATA}, [], 0
    for name in sorted(tensors, reverse=True):  # any order: readers go by offsets
        b = np.ascontiguousarray(tensors[name]).tobytes()
        entries[name] = {"dtype": ST_OF_NP[tensors[name].dtype.name], "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    header = json.dumps(entries, ensure_ascii=False).encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header + b"".join(chunks))
    print(json.dumps(describe(tensors, METADATA)))


def main(argv):
    mode = argv[1] if len(argv) > 1 else ""
    if mode == "numpy-read":
        print(json.dumps(numpy_read(argv[2])))
        return 0
    if mode == "numpy-write":
        numpy_write(argv[2])
        return 0
    try:
        import safetensors  # noqa: F401
        from safetensors import safe_open
        from safetensors.numpy import load_file, save_file
    except Exception as e:  # noqa: BLE001
        print(f"cannot import safetensors: {type(e).__name__}: {e}", file=sys.stderr)
        return 3
    if mode == "probe":
        print(getattr(safetensors, "__version__", "unknown"))
        return 0
    if mode == "st-read":
        with safe_open(argv[2], framework="np") as f:
            metadata = f.metadata()
        print(json.dumps(describe(load_file(argv[2]), metadata)))
        return 0
    if mode == "fixture":
        tensors = samples()
        save_file(tensors, f"{argv[2]}/samples.safetensors", metadata=METADATA)
        d = describe(tensors, METADATA)
        for name, a in tensors.items():
            d["tensors"][name]["values"] = [repr(float(v)) for v in np.asarray(a).reshape(-1)]
        d["written_by"] = f"safetensors {getattr(safetensors, '__version__', 'unknown')}, numpy {np.__version__}"
        with open(f"{argv[2]}/samples.json", "w", encoding="utf-8") as out:
            json.dump(d, out, indent=1, ensure_ascii=False)
            out.write("\n")
        return 0
    if mode == "st-write":
        tensors = samples()
        save_file(tensors, argv[2], metadata=METADATA)
        print(json.dumps(describe(tensors, METADATA)))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
