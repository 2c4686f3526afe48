#!/usr/bin/python3
"""Writes the PyTorch golden files for rnn4j's RNN/LSTM/GRU tests.

Each case runs torch.nn.{RNN,LSTM,GRU} in float64 on fixed-seed data, forms the scalar loss
    L = sum(output * grad_output) + sum(h_n * grad_h_n) [+ sum(c_n * grad_c_n)]
and stores inputs, parameters, results and the gradients of L in one safetensors file under
src/test/resources/golden/. See README.md next to this script for the tensor list.

The safetensors encoding is written here with struct + json on purpose: the files must not depend
on the Java writer they help to test, nor on the optional Python `safetensors` package.

Usage: /usr/bin/python3 tools/golden/make_golden.py [output_dir]
"""
import json
import os
import struct
import sys

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

GENERATOR = "tools/golden/make_golden.py"
# PyTorch's default init U(-1/sqrt(H), 1/sqrt(H)) is multiplied by this, so that with H = 7 the
# parameters reach about +-0.57 and the nonlinearities are exercised away from their linear region.
WEIGHT_SCALE = 1.5
GARBAGE_SCALE = 100.0

# name, cell, I, H, L, T, B, lengths (None = all T, not packed), batch_first, seed
CASES = [
    ("rnn_tanh_l1", "rnn_tanh", 5, 7, 1, 6, 4, None, False, 101),
    ("rnn_tanh_l2_packed", "rnn_tanh", 5, 7, 2, 6, 4, [3, 6, 1, 4], False, 102),
    ("rnn_relu_l1", "rnn_relu", 5, 7, 1, 6, 4, None, False, 103),
    ("rnn_relu_l3_packed", "rnn_relu", 5, 7, 3, 6, 4, [6, 2, 1, 5], False, 104),
    ("lstm_l1", "lstm", 5, 7, 1, 6, 4, None, False, 105),
    ("lstm_l2_packed", "lstm", 5, 7, 2, 6, 4, [3, 6, 1, 4], False, 106),
    ("lstm_l2_packed_batch_first", "lstm", 5, 7, 2, 6, 4, [2, 1, 6, 6], True, 107),
    ("lstm_l3_packed_h17", "lstm", 9, 17, 3, 7, 5, [2, 7, 5, 1, 7], False, 108),
    ("gru_l1", "gru", 5, 7, 1, 6, 4, None, False, 109),
    ("gru_l2_packed", "gru", 5, 7, 2, 6, 4, [3, 6, 1, 4], False, 110),
    ("gru_l2_packed_batch_first", "gru", 5, 7, 2, 6, 4, [5, 6, 1, 3], True, 111),
    ("gru_l3_packed_h17", "gru", 9, 17, 3, 7, 5, [4, 1, 7, 7, 2], False, 112),
]


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, torch tensor) in file order; float64 -> F64, int64 -> I64."""
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, t in tensors:
        t = t.detach().contiguous().cpu()
        if t.dtype == torch.float64:
            dtype, fmt = "F64", "<%dd"
        elif t.dtype == torch.int64:
            dtype, fmt = "I64", "<%dq"
        else:
            raise ValueError("%s: unexpected dtype %s" % (name, t.dtype))
        values = t.reshape(-1).tolist()
        blob = struct.pack(fmt % len(values), *values)
        header[name] = {"dtype": dtype, "shape": list(t.shape),
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


def make_case(name, cell, I, H, L, T, B, lengths, batch_first, seed):
    torch.manual_seed(seed)
    packed = lengths is not None
    if not packed:
        lengths = [T] * B
    assert max(lengths) == T and len(lengths) == B
    if cell == "lstm":
        module = torch.nn.LSTM(I, H, num_layers=L, batch_first=batch_first)
    elif cell == "gru":
        module = torch.nn.GRU(I, H, num_layers=L, batch_first=batch_first)
    else:
        module = torch.nn.RNN(I, H, num_layers=L, nonlinearity=cell[4:], batch_first=batch_first)
    with torch.no_grad():
        for p in module.parameters():
            p.mul_(WEIGHT_SCALE)
    param_names = [n for n, _ in module.named_parameters()]

    lengths_t = torch.tensor(lengths, dtype=torch.int64)
    steps = torch.arange(T).unsqueeze(1)                      # (T, 1)
    valid = (steps < lengths_t.unsqueeze(0)).unsqueeze(2)     # (T, B, 1), seq-first
    x = torch.randn(T, B, I)
    x = torch.where(valid, x, GARBAGE_SCALE * torch.randn(T, B, I))
    h0 = 0.5 * torch.randn(L, B, H)
    c0 = 0.5 * torch.randn(L, B, H) if cell == "lstm" else None
    grad_output = torch.randn(T, B, H)      # padded positions too: they must have no effect
    grad_h_n = torch.randn(L, B, H)
    grad_c_n = torch.randn(L, B, H) if cell == "lstm" else None

    x_req = x.clone().requires_grad_(True)
    h0_req = h0.clone().requires_grad_(True)
    c0_req = c0.clone().requires_grad_(True) if c0 is not None else None
    x_torch = x_req.transpose(0, 1) if batch_first else x_req
    state = (h0_req, c0_req) if cell == "lstm" else h0_req
    if packed:
        seq = pack_padded_sequence(x_torch, lengths_t, batch_first=batch_first, enforce_sorted=False)
        out_seq, state_n = module(seq, state)
        out_torch, _ = pad_packed_sequence(out_seq, batch_first=batch_first, total_length=T)
    else:
        out_torch, state_n = module(x_torch, state)
    output = out_torch.transpose(0, 1) if batch_first else out_torch
    if cell == "lstm":
        h_n, c_n = state_n
    else:
        h_n, c_n = state_n, None

    loss = (output * grad_output).sum() + (h_n * grad_h_n).sum()
    if cell == "lstm":
        loss = loss + (c_n * grad_c_n).sum()
    params = [p for _, p in module.named_parameters()]
    leaves = [x_req, h0_req] + ([c0_req] if cell == "lstm" else []) + params
    grads = torch.autograd.grad(loss, leaves)
    grad_x, grad_h0 = grads[0], grads[1]
    grad_c0 = grads[2] if cell == "lstm" else None
    grad_params = grads[3 if cell == "lstm" else 2:]

    # The promises the Java tests rely on.
    invalid = ~valid.expand(T, B, H)
    assert torch.all(output[invalid] == 0), name + ": output not zero at padding"
    assert torch.all(grad_x[~valid.expand(T, B, I)] == 0), name + ": grad.input not zero at padding"
    if packed:
        assert torch.all(x[~valid.expand(T, B, I)] != 0), name + ": padding garbage has zeros"
        assert torch.all(grad_output[invalid] != 0)

    tensors = [(n, p) for n, p in module.named_parameters()]
    tensors += [("input", x), ("lengths", lengths_t), ("h0", h0)]
    if cell == "lstm":
        tensors.append(("c0", c0))
    tensors += [("grad_output", grad_output), ("grad_h_n", grad_h_n)]
    if cell == "lstm":
        tensors.append(("grad_c_n", grad_c_n))
    tensors += [("output", output), ("h_n", h_n)]
    if cell == "lstm":
        tensors.append(("c_n", c_n))
    tensors += [("grad.input", grad_x), ("grad.h0", grad_h0)]
    if cell == "lstm":
        tensors.append(("grad.c0", grad_c0))
    tensors += [("grad." + n, g) for n, g in zip(param_names, grad_params)]
    for n, t in tensors:
        if t.dtype.is_floating_point:
            assert t.dtype == torch.float64, n

    metadata = {
        "cell": cell,
        "input_size": str(I),
        "hidden_size": str(H),
        "num_layers": str(L),
        "seq_len": str(T),
        "batch": str(B),
        "batch_first": "1" if batch_first else "0",
        "packed": "1" if packed else "0",
        "bias": "1",
        "layout": "seq-first: input, output, grad_output, grad.input are (T, B, .) even when batch_first=1",
        "loss": "sum(output*grad_output)+sum(h_n*grad_h_n)" + ("+sum(c_n*grad_c_n)" if cell == "lstm" else ""),
        "seed": str(seed),
        "weight_scale": str(WEIGHT_SCALE),
        "torch_version": torch.__version__,
        "generator": GENERATOR,
    }
    return tensors, metadata


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "src", "test", "resources", "golden")
    os.makedirs(out_dir, exist_ok=True)
    torch.set_default_dtype(torch.float64)
    torch.use_deterministic_algorithms(True)
    for case in CASES:
        tensors, metadata = make_case(*case)
        path = os.path.join(out_dir, case[0] + ".safetensors")
        write_safetensors(path, tensors, metadata)
        print("%-40s %7d bytes" % (os.path.relpath(path, root), os.path.getsize(path)))
    try:
        from safetensors.torch import load_file  # optional cross-check, never required
    except ImportError:
        return
    for case in CASES:
        load_file(os.path.join(out_dir, case[0] + ".safetensors"))


if __name__ == "__main__":
    main()
