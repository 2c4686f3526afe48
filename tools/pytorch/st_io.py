"""A minimal safetensors reader and writer for torch tensors, with nothing but the standard library and
torch (no `safetensors`, no numpy), for machines where only Debian's python3-torch is installed.

    write_safetensors(path, tensors, metadata=None)   tensors: dict or list of (name, tensor)
    tensors, metadata = read_safetensors(path)         tensors: dict name -> tensor, in file order

Dtypes: float32 F32, float64 F64, float16 F16, bfloat16 BF16, int64 I64, int32 I32. The layout is the
format's: 8-byte little-endian header length, compact JSON header ("__metadata__" first when given),
padded with spaces to a multiple of 8, then the tensors' little-endian bytes in header order.
"""
import json
import os
import struct
import sys

import torch

_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
           torch.int64: "I64", torch.int32: "I32"}
_TORCH = {v: k for k, v in _DTYPES.items()}

assert sys.byteorder == "little", "st_io copies tensor memory as is: little-endian machines only"


def _raw(t):
    t = t.detach().contiguous().cpu()
    return bytes(t.reshape(-1).view(torch.uint8).tolist())


def write_safetensors(path, tensors, metadata=None):
    """Writes path atomically (a temporary file next to it, then a rename)."""
    items = list(tensors.items()) if isinstance(tensors, dict) else list(tensors)
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs, offset = [], 0
    for name, t in items:
        if t.dtype not in _DTYPES:
            raise ValueError("%s: unsupported dtype %s" % (name, t.dtype))
        blob = _raw(t)
        header[name] = {"dtype": _DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


def read_safetensors(path):
    """Returns ({name: tensor} in header order, {metadata})."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    base = 8 + n
    tensors = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        dtype = _TORCH[e["dtype"]]
        buf = bytearray(data[base + begin:base + end])
        t = torch.frombuffer(buf, dtype=dtype) if buf else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(e["shape"])
    return tensors, metadata
