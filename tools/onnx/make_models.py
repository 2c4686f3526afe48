#!/usr/bin/python3
"""Generates the ONNX Runtime peer's models for jmh OrtBench: for each cell and (I, H), one seeded
PyTorch nn.LSTM / nn.GRU / nn.RNN (default init) saved twice with the SAME weights:

    OUT/{cell}_I{I}_H{H}.safetensors   the PyTorch state_dict (weight_ih_l0, ...), read by rnn4j's TorchModel
    OUT/{cell}_I{I}_H{H}.onnx          one ONNX LSTM / GRU / RNN node (opset 14), run by onnxruntime

ONNX graph: inputs X (T, B, I) with T and B symbolic, initial_h (1, B, H) [, initial_c (1, B, H) for
LSTM]; outputs Y (T, 1, B, H), Y_h (1, B, H) [, Y_c]. The same file serves sequences (any T, B) and
streaming (T = 1, B = 1, the state fed back). W, R, B are initializers converted from PyTorch's layout:
  LSTM gates PyTorch [i, f, g, o] -> ONNX [i, o, f, c]
  GRU  gates PyTorch [r, z, n]    -> ONNX [z, r, h], linear_before_reset = 1 (PyTorch's b_hn placement)
  RNN  activations [Tanh]
  B = concat(bias_ih, bias_hh) (ONNX's Wb then Rb, both added, as PyTorch's two biases).

Usage (Debian's interpreter, it sees python3-torch and python3-onnx):
    /usr/bin/python3 tools/onnx/make_models.py                      # all models into jmh/target/onnx-models
    /usr/bin/python3 tools/onnx/make_models.py --cells lstm --set stream --hidden 64
    /usr/bin/python3 tools/onnx/make_models.py --out DIR --set seq --check
--set seq: the sequence shapes (I, H) = (256,256) (512,512) (128,128) (650,650); --set stream: I = H for
--hidden (default 64,128,256,1024); --set all (default) both. --check also runs the ONNX equations
(written here from the operator spec) over the ONNX initializers and compares with torch, which
checks the gate conversion without onnxruntime (Debian has no python onnxruntime).
"""
import argparse
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pytorch"))
from st_io import write_safetensors  # noqa: E402

SEQ_SHAPES = [(100, 32, 256, 256), (50, 64, 512, 512), (100, 1, 128, 128), (35, 20, 650, 650)]
STREAM_HIDDEN = [64, 128, 256, 1024]
CELLS = ["lstm", "gru", "rnn_tanh"]
SEED = 1234
OPSET = 14

# Row blocks of PyTorch's (G*H, .) weights, listed in ONNX's gate order.
PERM = {"lstm": [0, 3, 1, 2],   # i, o, f, c  from  i, f, g, o
        "gru": [1, 0, 2],       # z, r, h     from  r, z, n
        "rnn_tanh": [0]}
OP = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": "RNN"}


def torch_module(cell, i, h):
    torch.manual_seed(SEED + 7919 * i + h)  # fixed per model, different across shapes
    if cell == "lstm":
        return torch.nn.LSTM(i, h)
    if cell == "gru":
        return torch.nn.GRU(i, h)
    return torch.nn.RNN(i, h, nonlinearity="tanh")


def reorder(t, cell, h):
    """Reorders the gate blocks of rows (dim 0) from PyTorch's to ONNX's order."""
    blocks = t.reshape(len(PERM[cell]), h, *t.shape[1:])
    return torch.cat([blocks[p] for p in PERM[cell]], 0)


def onnx_weights(sd, cell, h):
    w = reorder(sd["weight_ih_l0"], cell, h).unsqueeze(0)
    r = reorder(sd["weight_hh_l0"], cell, h).unsqueeze(0)
    b = torch.cat([reorder(sd["bias_ih_l0"], cell, h), reorder(sd["bias_hh_l0"], cell, h)]).unsqueeze(0)
    return [w.numpy().astype(np.float32), r.numpy().astype(np.float32), b.numpy().astype(np.float32)]


def onnx_model(cell, i, h, wrb):
    inits = [numpy_helper.from_array(a, n) for a, n in zip(wrb, ["W", "R", "B"])]
    x = helper.make_tensor_value_info("X", TensorProto.FLOAT, ["T", "B", i])
    h0 = helper.make_tensor_value_info("initial_h", TensorProto.FLOAT, [1, "B", h])
    y = helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["T", 1, "B", h])
    yh = helper.make_tensor_value_info("Y_h", TensorProto.FLOAT, [1, "B", h])
    ins, outs = [x, h0], [y, yh]
    # Node inputs by position: X, W, R, B, sequence_lens ("" = absent: every sequence has length T), initial_h, ...
    node_in = ["X", "W", "R", "B", "", "initial_h"]
    node_out = ["Y", "Y_h"]
    attrs = {"hidden_size": h}
    if cell == "lstm":
        ins.append(helper.make_tensor_value_info("initial_c", TensorProto.FLOAT, [1, "B", h]))
        outs.append(helper.make_tensor_value_info("Y_c", TensorProto.FLOAT, [1, "B", h]))
        node_in.append("initial_c")
        node_out.append("Y_c")
    elif cell == "gru":
        attrs["linear_before_reset"] = 1
    else:
        attrs["activations"] = ["Tanh"]
    node = helper.make_node(OP[cell], node_in, node_out, name=cell, **attrs)
    graph = helper.make_graph([node], "%s_I%d_H%d" % (cell, i, h), ins, outs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="rnn4j tools/onnx/make_models.py")
    # IR version 8 is what opset 14 came with; onnx 1.12 would write a newer one that older runtimes refuse.
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def onnx_reference(cell, wrb, x, h):
    """ONNX LSTM/GRU/RNN forward (default activations, zero initial state), from the operator spec."""
    w, r, b = (torch.from_numpy(a[0]).double() for a in wrb)
    g = w.shape[0] // h
    wb, rb = b[:g * h], b[g * h:]
    t_len, batch = x.shape[0], x.shape[1]
    ht = torch.zeros(batch, h, dtype=torch.float64)
    ct = torch.zeros(batch, h, dtype=torch.float64)
    ys = []
    for t in range(t_len):
        xw = x[t] @ w.T + wb
        if cell == "lstm":
            gates = xw + ht @ r.T + rb
            i_, o_, f_, c_ = gates.split(h, 1)
            ct = torch.sigmoid(f_) * ct + torch.sigmoid(i_) * torch.tanh(c_)
            ht = torch.sigmoid(o_) * torch.tanh(ct)
        elif cell == "gru":
            hr = ht @ r.T + rb
            z = torch.sigmoid(xw[:, :h] + hr[:, :h])
            rr = torch.sigmoid(xw[:, h:2 * h] + hr[:, h:2 * h])
            n = torch.tanh(xw[:, 2 * h:] + rr * hr[:, 2 * h:])   # linear_before_reset = 1
            ht = (1 - z) * n + z * ht
        else:
            ht = torch.tanh(xw + ht @ r.T + rb)
        ys.append(ht)
    return torch.stack(ys), ht, ct


def rel(a, b):
    return float((a - b).norm() / b.norm())


def make(cell, i, h, out, check):
    stem = os.path.join(out, "%s_I%d_H%d" % (cell, i, h))
    m = torch_module(cell, i, h)
    sd = {k: v.detach().contiguous() for k, v in m.state_dict().items()}
    # The metadata names the cell, so rnn4j need not fall back to its tanh default for nn.RNN.
    write_safetensors(stem + ".safetensors", sd, {"rnn4j.cell": cell, "producer": "tools/onnx/make_models.py"})
    wrb = onnx_weights(sd, cell, h)
    model = onnx_model(cell, i, h, wrb)
    tmp = stem + ".onnx.tmp"
    onnx.save(model, tmp)
    os.replace(tmp, stem + ".onnx")
    line = "%s_I%d_H%d: written" % (cell, i, h)
    if check:
        g = torch.Generator().manual_seed(5)
        x = torch.rand(3, 2, i, generator=g) - 0.5
        with torch.no_grad():
            y, st = m(x)
        ry, rh, rc = onnx_reference(cell, wrb, x.double(), h)
        errs = [rel(ry, y.double()), rel(rh, (st[0] if cell == "lstm" else st)[0].double())]
        if cell == "lstm":
            errs.append(rel(rc, st[1][0].double()))
        line += ", ONNX equations vs torch rel err %s" % " ".join("%.1e" % e for e in errs)
        if max(errs) > 1e-5:
            raise SystemExit(line + ": gate conversion is wrong")
    print(line, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="jmh/target/onnx-models")
    ap.add_argument("--cells", default=",".join(CELLS))
    ap.add_argument("--set", choices=["all", "seq", "stream"], default="all")
    ap.add_argument("--hidden", default=",".join(map(str, STREAM_HIDDEN)), help="streaming H (I = H)")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    cells = [c for c in a.cells.split(",") if c]
    for c in cells:
        if c not in CELLS:
            ap.error("unknown cell %r (one of %s)" % (c, ", ".join(CELLS)))
    shapes = []
    if a.set in ("all", "seq"):
        shapes += [(i, h) for (_, _, i, h) in SEQ_SHAPES]
    if a.set in ("all", "stream"):
        shapes += [(h, h) for h in map(int, a.hidden.split(","))]
    shapes = list(dict.fromkeys(shapes))  # (256,256) and (128,128) serve both sets: made once
    os.makedirs(a.out, exist_ok=True)
    for c in cells:
        for i, h in shapes:
            make(c, i, h, a.out, a.check)


if __name__ == "__main__":
    main()
