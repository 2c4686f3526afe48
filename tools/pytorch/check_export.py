#!/usr/bin/python3
"""Checks a model exported by rnn4j (org.rnn4j.interop.TorchModel#write) on the PyTorch side: builds
the matching torch.nn modules from the file's names, shapes and rnn4j metadata, loads the tensors with
load_state_dict(strict=True) (every name and shape must match, nothing missing, nothing extra), runs
the modules in float64 on an input file and compares with what `rnn4j infer` wrote for that input.

  module tree   the dotted names of the file: metadata rnn4j.embedding -> nn.Embedding(V, I),
                rnn4j.rnn -> nn.LSTM / nn.GRU / nn.RNN (rnn4j.cell gives the nonlinearity),
                rnn4j.head -> nn.Linear(O_rnn, O, bias = whether HEAD.bias exists), registered in the
                file's order
  refused       the rnn4j-only options PyTorch has no module for: peephole tensors, a reverse-only
                network, rnn4j.reset_before = 1, rnn4j.merge = sum
  comparison    y, h_n, c_n: normwise relative error ||rnn4j - torch|| / ||torch|| per tensor;
                exit 1 above --tolerance (1e-5)

Usage: /usr/bin/python3 tools/pytorch/check_export.py --model EXPORTED.safetensors --input X.safetensors
       --rnn4j-output Y.safetensors [--batch-first] [--tolerance 1e-5]
"""
import argparse
import os
import sys

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st_io import read_safetensors  # noqa: E402


def fail(msg):
    print("check_export: " + msg, file=sys.stderr)
    sys.exit(1)


def attach(root, path, module):
    """Registers module at the dotted path under root, creating empty parents."""
    parent = root
    parts = path.split(".")
    for p in parts[:-1]:
        if not hasattr(parent, p):
            parent.add_module(p, torch.nn.Module())
        parent = getattr(parent, p)
    parent.add_module(parts[-1], module)


def build(tensors, meta):
    """The module tree of an rnn4j export and its parts (embedding, rnn, head; None where absent)."""
    if "rnn4j.rnn" not in meta or "rnn4j.cell" not in meta:
        fail("no rnn4j.rnn / rnn4j.cell metadata: not a file written by rnn4j's TorchModel.write")
    prefix, cell = meta["rnn4j.rnn"], meta["rnn4j.cell"]
    if meta.get("rnn4j.reset_before", "0") == "1":
        fail("a reset-before GRU (rnn4j.reset_before = 1) has no PyTorch module")
    if meta.get("rnn4j.merge", "concat") != "concat":
        fail("merge %s has no PyTorch module" % meta["rnn4j.merge"])
    if any("weight_peephole" in n for n in tensors):
        fail("peephole LSTM tensors have no PyTorch module")
    if prefix + "weight_ih_l0" not in tensors:
        fail("no %sweight_ih_l0 (a reverse-only network has no PyTorch module)" % prefix)
    layers = 0
    while "%sweight_ih_l%d" % (prefix, layers) in tensors:
        layers += 1
    bidirectional = prefix + "weight_ih_l0_reverse" in tensors
    input_size = tensors[prefix + "weight_ih_l0"].shape[1]
    hr = tensors.get(prefix + "weight_hr_l0")
    hidden = hr.shape[1] if hr is not None else tensors[prefix + "weight_hh_l0"].shape[1]
    proj = hr.shape[0] if hr is not None else 0
    bias = prefix + "bias_ih_l0" in tensors
    kw = dict(num_layers=layers, bidirectional=bidirectional, bias=bias)
    if cell == "lstm":
        rnn = torch.nn.LSTM(input_size, hidden, proj_size=proj, **kw)
    elif cell == "gru":
        rnn = torch.nn.GRU(input_size, hidden, **kw)
    else:
        rnn = torch.nn.RNN(input_size, hidden, nonlinearity=cell[4:], **kw)
    parts = {"rnn": (prefix[:-1], rnn)}
    if "rnn4j.embedding" in meta:
        name = meta["rnn4j.embedding"]
        parts["embedding"] = (name, torch.nn.Embedding(tensors[name + ".weight"].shape[0], input_size))
    if "rnn4j.head" in meta:
        name = meta["rnn4j.head"]
        w = tensors[name + ".weight"]
        parts["head"] = (name, torch.nn.Linear(w.shape[1], w.shape[0], bias=name + ".bias" in tensors))

    def first_index(part):
        path = part[0]
        return min(i for i, n in enumerate(tensors) if n.startswith(path + ".") or path == "")
    root = torch.nn.Module()
    if prefix == "":
        if len(parts) > 1:
            fail("a bare RNN (prefix '') cannot have siblings in one PyTorch module")
        root = rnn
    else:
        for _, (path, module) in sorted(parts.items(), key=lambda kv: first_index(kv[1])):
            attach(root, path, module)
    return root, {k: m for k, (_, m) in parts.items()}


def run(parts, x, lengths, h0, c0, batch_first):
    """embedding -> rnn (packed when lengths are given) -> head, y zeroed past each length."""
    rnn = parts["rnn"]
    rnn.batch_first = batch_first
    if "embedding" in parts:
        x = parts["embedding"](x)
    state = None
    if h0 is not None or c0 is not None:
        if isinstance(rnn, torch.nn.LSTM):
            units = rnn.num_layers * (2 if rnn.bidirectional else 1)
            B = x.shape[0] if batch_first else x.shape[1]
            h0 = h0 if h0 is not None else torch.zeros(units, B, rnn.proj_size or rnn.hidden_size, dtype=torch.float64)
            c0 = c0 if c0 is not None else torch.zeros(units, B, rnn.hidden_size, dtype=torch.float64)
            state = (h0, c0)
        else:
            state = h0
    T = x.shape[1] if batch_first else x.shape[0]
    if lengths is not None:
        seq = pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
        y, state_n = rnn(seq, state)
        y, _ = pad_packed_sequence(y, batch_first=batch_first, total_length=T)
    else:
        y, state_n = rnn(x, state)
    if "head" in parts:
        y = parts["head"](y)
        if lengths is not None:
            mask = (torch.arange(T).unsqueeze(1) < lengths.unsqueeze(0)).unsqueeze(2).to(y.dtype)
            y = y * (mask.transpose(0, 1) if batch_first else mask)
    h_n, c_n = state_n if isinstance(state_n, tuple) else (state_n, None)
    return {"y": y, "h_n": h_n, "c_n": c_n}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--rnn4j-output", required=True)
    p.add_argument("--batch-first", action="store_true")
    p.add_argument("--tolerance", type=float, default=1e-5)
    a = p.parse_args()

    tensors, meta = read_safetensors(a.model)
    root, parts = build(tensors, meta)
    # strict: every module parameter has a tensor of its shape in the file, and the file has no other
    root.load_state_dict({k: v for k, v in tensors.items()}, strict=True)
    names = list(root.state_dict().keys())
    same_order = names == list(tensors.keys())
    print("load_state_dict(strict=True): %d tensors, names and shapes accepted; state_dict order %s the file's"
          % (len(names), "equals" if same_order else "differs from"))
    root.double().eval()

    inp, _ = read_safetensors(a.input)
    x = inp["x"] if not inp["x"].dtype.is_floating_point else inp["x"].double()
    lengths = inp.get("lengths")
    h0 = inp["h0"].double() if "h0" in inp else None
    c0 = inp["c0"].double() if "c0" in inp else None
    with torch.no_grad():
        ref = run(parts, x, lengths.long() if lengths is not None else None, h0, c0, a.batch_first)
    got, _ = read_safetensors(a.rnn4j_output)
    worst = 0.0
    for name in ["y", "h_n", "c_n"]:
        if ref[name] is None:
            continue
        if name not in got or list(got[name].shape) != list(ref[name].shape):
            fail("%s: rnn4j wrote %s, PyTorch gives shape %s" % (
                name, list(got[name].shape) if name in got else "nothing", list(ref[name].shape)))
        err = ((got[name].double() - ref[name]).norm() / ref[name].norm()).item()
        worst = max(worst, err)
        print("%-4s %-14s rnn4j %-4s vs torch float64: relative error %.2e" % (
            name, str(list(ref[name].shape)), str(got[name].dtype).replace("torch.", ""), err))
    if worst > a.tolerance:
        fail("worst relative error %.2e exceeds %.0e" % (worst, a.tolerance))
    print("ok: worst relative error %.2e <= %.0e" % (worst, a.tolerance))


if __name__ == "__main__":
    main()
