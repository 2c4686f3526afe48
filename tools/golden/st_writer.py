"""The safetensors writer shared by the golden-file generators make_golden, make_nn_golden,
make_optim_golden and make_serve_golden. struct + json on purpose: the files must not depend on
the Java writer they help to test, nor on the optional `safetensors` package."""
import json
import os
import struct

import torch

_FORMATS = {torch.float32: ("F32", "<%df"), torch.float64: ("F64", "<%dd"), torch.int64: ("I64", "<%dq")}


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, torch tensor) in file order; float32 -> F32, float64 -> F64,
    int64 -> I64. The header is compact JSON padded with spaces to a multiple of 8; the file is
    written to path + ".tmp" and renamed."""
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, t in tensors:
        t = t.detach().contiguous().cpu()
        if t.dtype not in _FORMATS:
            raise ValueError("%s: unexpected dtype %s" % (name, t.dtype))
        dtype, fmt = _FORMATS[t.dtype]
        values = t.reshape(-1).tolist()
        blob = struct.pack(fmt % len(values), *values)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)
