#!/usr/bin/python3
"""Writes the PyTorch golden files for rnn4j's RNN/LSTM/GRU tests.

Each case runs torch.nn.{RNN,LSTM,GRU} in float64 on fixed-seed data, forms the scalar loss
    L = sum(output * grad_output) + sum(h_n * grad_h_n) [+ sum(c_n * grad_c_n)]
and stores inputs, parameters, results and the gradients of L in one safetensors file under
src/test/resources/golden/. See README.md next to this script for the tensor list.

Cases with the cell-family options (OPTION_CASES: bidirectional, reverse-only, merge sum, LSTM
projection, LSTM peepholes, GRU reset-before) are computed by torch.nn where it has the option, by
torch.nn modules composed per layer for reverse-only and merge sum, and by the cell equations written
in torch ops (by_manual) for the peephole LSTM and the reset-before GRU, which PyTorch lacks; gradients
always by autograd. The script asserts that by_manual reproduces torch.nn on every case with the
extra option off, and that a plain-Python forward pass reproduces every option case's results.

The safetensors encoding is written here with struct + json on purpose: the files must not depend
on the Java writer they help to test, nor on the optional Python `safetensors` package.

Usage: /usr/bin/python3 tools/golden/make_golden.py [output_dir]
"""
import collections
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st_writer import write_safetensors  # noqa: E402
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


# ================================================================ cell-family option cases
#
# Sizes: H gate width, P = proj_size or H (width of h), D = 2 for bidirectional else 1,
# output width D*P under merge "concat", P under "sum". States are (L*D, B, P) for h and
# (L*D, B, H) for c, indexed layer*D + direction as in PyTorch.

OptionCase = collections.namedtuple("OptionCase", "name cell I H L T B lengths batch_first seed "
                                                  "direction merge proj_size peephole reset_before")

# Every option case is packed (unsorted lengths, one of them T and one 1).
OPTION_CASES = [
    # torch.nn modules as they are
    OptionCase("lstm_bi_l2_packed", "lstm", 5, 7, 2, 6, 4, [3, 6, 1, 4], False, 113,
               "bidirectional", "concat", 0, False, False),
    OptionCase("lstm_bi_l2_packed_batch_first", "lstm", 5, 7, 2, 6, 4, [6, 2, 5, 1], True, 114,
               "bidirectional", "concat", 0, False, False),
    OptionCase("gru_bi_l2_packed", "gru", 5, 7, 2, 6, 4, [6, 2, 1, 5], False, 115,
               "bidirectional", "concat", 0, False, False),
    OptionCase("rnn_tanh_bi_l2_packed", "rnn_tanh", 5, 7, 2, 6, 4, [4, 1, 6, 3], False, 116,
               "bidirectional", "concat", 0, False, False),
    OptionCase("lstm_proj_l2_packed", "lstm", 5, 7, 2, 6, 4, [3, 6, 1, 4], False, 117,
               "forward", "concat", 4, False, False),
    OptionCase("lstm_proj_bi_l2_packed", "lstm", 5, 7, 2, 6, 4, [1, 5, 6, 2], False, 118,
               "bidirectional", "concat", 4, False, False),
    # torch.nn modules composed: reverse-only, and bidirectional with summed directions
    OptionCase("gru_reverse_l2_packed", "gru", 5, 7, 2, 6, 4, [3, 6, 1, 4], False, 119,
               "reverse", "concat", 0, False, False),
    OptionCase("lstm_bi_sum_l2_packed", "lstm", 5, 7, 2, 6, 4, [5, 1, 3, 6], False, 120,
               "bidirectional", "sum", 0, False, False),
    # cell equations written in torch ops (PyTorch has no such cell)
    OptionCase("lstm_peephole_l2_packed", "lstm", 5, 7, 2, 6, 4, [3, 6, 1, 4], False, 121,
               "forward", "concat", 0, True, False),
    OptionCase("lstm_peephole_proj_bi_l2_packed", "lstm", 5, 7, 2, 6, 4, [2, 6, 4, 1], False, 122,
               "bidirectional", "concat", 4, True, False),
    OptionCase("gru_reset_before_l2_packed", "gru", 5, 7, 2, 6, 4, [3, 6, 1, 4], False, 123,
               "forward", "concat", 0, False, True),
    OptionCase("gru_reset_before_bi_l1_packed", "gru", 5, 7, 1, 6, 4, [6, 1, 2, 4], False, 124,
               "bidirectional", "concat", 0, False, True),
]

# The manual cells must reproduce torch.nn (with their extra option off) to this, absolutely.
MANUAL_TOL = 1e-12


def gates(cell):
    return {"lstm": 4, "gru": 3}.get(cell, 1)


def dirs(c):
    return 2 if c.direction == "bidirectional" else 1


def state_size(c):
    return c.proj_size if c.proj_size > 0 else c.H


def output_size(c):
    return dirs(c) * state_size(c) if c.merge == "concat" else state_size(c)


def unit_suffix(c, l, d):
    return str(l) + ("_reverse" if c.direction == "reverse" or d == 1 else "")


def param_shapes(c):
    """[(name, shape)] in rnn4j RnnWeights / PyTorch state_dict order."""
    G, H, P = gates(c.cell), c.H, state_size(c)
    shapes = []
    for l in range(c.L):
        in_l = c.I if l == 0 else output_size(c)
        for d in range(dirs(c)):
            s = unit_suffix(c, l, d)
            shapes += [("weight_ih_l" + s, (G * H, in_l)), ("weight_hh_l" + s, (G * H, P)),
                       ("bias_ih_l" + s, (G * H,)), ("bias_hh_l" + s, (G * H,))]
            if c.proj_size > 0:
                shapes.append(("weight_hr_l" + s, (P, H)))
            if c.peephole:
                shapes.append(("weight_peephole_l" + s, (3 * H,)))
    return shapes


def draw_case(c):
    """Parameters (PyTorch's U(-1/sqrt(H), 1/sqrt(H)) times WEIGHT_SCALE, peepholes alike) and data."""
    torch.manual_seed(c.seed)
    bound = 1.0 / c.H ** 0.5
    params = collections.OrderedDict()
    for n, shape in param_shapes(c):
        params[n] = WEIGHT_SCALE * torch.empty(shape).uniform_(-bound, bound)
    T, B, I, H, P, U = c.T, c.B, c.I, c.H, state_size(c), c.L * dirs(c)
    lengths = torch.tensor(c.lengths, dtype=torch.int64)
    valid = (torch.arange(T).unsqueeze(1) < lengths.unsqueeze(0)).unsqueeze(2)   # (T, B, 1)
    lstm = c.cell == "lstm"
    x = torch.randn(T, B, I)
    data = {
        "input": torch.where(valid, x, GARBAGE_SCALE * torch.randn(T, B, I)),
        "lengths": lengths,
        "h0": 0.5 * torch.randn(U, B, P),
        "c0": 0.5 * torch.randn(U, B, H) if lstm else None,
        "grad_output": torch.randn(T, B, output_size(c)),   # padded positions too: no effect allowed
        "grad_h_n": torch.randn(U, B, P),
        "grad_c_n": torch.randn(U, B, H) if lstm else None,
    }
    return params, data


def new_module(c, input_size, num_layers, bidirectional):
    kw = dict(num_layers=num_layers, bidirectional=bidirectional, batch_first=c.batch_first)
    if c.cell == "lstm":
        return torch.nn.LSTM(input_size, c.H, proj_size=c.proj_size, **kw)
    if c.cell == "gru":
        return torch.nn.GRU(input_size, c.H, **kw)
    return torch.nn.RNN(input_size, c.H, nonlinearity=c.cell[4:], **kw)


def load_module(module, params, rename):
    """Copies params[rename(module name)] into the module; returns {file name: module parameter}."""
    leaves = collections.OrderedDict()
    with torch.no_grad():
        for n, p in module.named_parameters():
            src = params[rename(n)]
            assert p.shape == src.shape, (n, p.shape, src.shape)
            p.copy_(src)
            leaves[rename(n)] = p
    return leaves


def run_packed(c, module, x, lengths, state):
    """x seq-first (T, B, F); returns the padded output seq-first and the final state."""
    xt = x.transpose(0, 1) if c.batch_first else x
    seq = pack_padded_sequence(xt, lengths, batch_first=c.batch_first, enforce_sorted=False)
    out, state_n = module(seq, state)
    out, _ = pad_packed_sequence(out, batch_first=c.batch_first, total_length=c.T)
    return (out.transpose(0, 1) if c.batch_first else out), state_n


def unit_state(c, h0, c0, units):
    h = h0[units]
    return (h, c0[units]) if c.cell == "lstm" else h


def split_state(c, state_n):
    return state_n if c.cell == "lstm" else (state_n, None)


def reverse_within_lengths(seq, lengths):
    """seq (T, B, F): step t < len_b takes step len_b-1-t of the same sequence; padding stays put."""
    T, B, F = seq.shape
    t = torch.arange(T).unsqueeze(1)
    n = lengths.unsqueeze(0)
    idx = torch.where(t < n, n - 1 - t, t)
    return seq.gather(0, idx.unsqueeze(2).expand(T, B, F))


def by_module(c, params, x, lengths, h0, c0):
    """One torch.nn module as it is (forward or bidirectional, concat, optional proj_size)."""
    assert c.direction != "reverse" and c.merge == "concat" and not c.peephole and not c.reset_before
    module = new_module(c, c.I, c.L, c.direction == "bidirectional")
    leaves = load_module(module, params, lambda n: n)
    assert list(leaves) == list(params), (list(leaves), list(params))
    out, state_n = run_packed(c, module, x, lengths, unit_state(c, h0, c0, slice(None)))
    h_n, c_n = split_state(c, state_n)
    return out, h_n, c_n, leaves


def by_reversed_modules(c, params, x, lengths, h0, c0):
    """REVERSE-only: per layer, a one-layer forward torch.nn module reads every sequence reversed
    within its own length; its output is un-reversed (padding stays 0) and feeds the next layer."""
    assert c.direction == "reverse" and not c.peephole and not c.reset_before
    leaves = collections.OrderedDict()
    inp, hs, cs = x, [], []
    for l in range(c.L):
        module = new_module(c._replace(batch_first=False), c.I if l == 0 else output_size(c), 1, False)
        leaves.update(load_module(module, params, lambda n: n.replace("_l0", "_l%d_reverse" % l)))
        out, state_n = run_packed(c._replace(batch_first=False), module, reverse_within_lengths(inp, lengths),
                                  lengths, unit_state(c, h0, c0, slice(l, l + 1)))
        inp = reverse_within_lengths(out, lengths)
        h, cc = split_state(c, state_n)
        hs.append(h)
        cs.append(cc)
    return inp, torch.cat(hs), (torch.cat(cs) if c.cell == "lstm" else None), leaves


def by_summed_modules(c, params, x, lengths, h0, c0):
    """Bidirectional with merge SUM: per layer, a one-layer bidirectional torch.nn module whose two
    output halves are added; the sum (P wide) feeds the next layer."""
    assert c.direction == "bidirectional" and c.merge == "sum" and not c.peephole and not c.reset_before
    P = state_size(c)
    leaves = collections.OrderedDict()
    inp, hs, cs = x, [], []
    for l in range(c.L):
        module = new_module(c._replace(batch_first=False), c.I if l == 0 else P, 1, True)
        leaves.update(load_module(module, params, lambda n: n.replace("_l0", "_l%d" % l)))
        out, state_n = run_packed(c._replace(batch_first=False), module, inp, lengths,
                                  unit_state(c, h0, c0, slice(2 * l, 2 * l + 2)))
        inp = out[:, :, :P] + out[:, :, P:]
        h, cc = split_state(c, state_n)
        hs.append(h)
        cs.append(cc)
    return inp, torch.cat(hs), (torch.cat(cs) if c.cell == "lstm" else None), leaves


def by_modules(c, params, x, lengths, h0, c0):
    if c.direction == "reverse":
        return by_reversed_modules(c, params, x, lengths, h0, c0)
    if c.merge == "sum":
        return by_summed_modules(c, params, x, lengths, h0, c0)
    return by_module(c, params, x, lengths, h0, c0)


def manual_step(c, p, s, x, h, cs):
    """One step of unit suffix s: returns (h', c'). p: parameters by file name."""
    a = x @ p["weight_ih_l" + s].t() + p["bias_ih_l" + s]
    H = c.H
    if c.cell == "lstm":
        a = a + h @ p["weight_hh_l" + s].t() + p["bias_hh_l" + s]
        a_i, a_f, a_g, a_o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        if c.peephole:          # blocks [i, f, o]; i and f see c_{t-1}, o sees c_t
            w = p["weight_peephole_l" + s]
            p_i, p_f, p_o = w[:H], w[H:2 * H], w[2 * H:]
            i = torch.sigmoid(a_i + p_i * cs)
            f = torch.sigmoid(a_f + p_f * cs)
        else:
            i = torch.sigmoid(a_i)
            f = torch.sigmoid(a_f)
        g = torch.tanh(a_g)
        c_new = f * cs + i * g
        o = torch.sigmoid(a_o + p_o * c_new) if c.peephole else torch.sigmoid(a_o)
        h_new = o * torch.tanh(c_new)
        if c.proj_size > 0:
            h_new = h_new @ p["weight_hr_l" + s].t()
        return h_new, c_new
    if c.cell == "gru":
        w_hh, b_hh = p["weight_hh_l" + s], p["bias_hh_l" + s]
        gh_rz = h @ w_hh[:2 * H].t() + b_hh[:2 * H]
        r = torch.sigmoid(a[:, :H] + gh_rz[:, :H])
        z = torch.sigmoid(a[:, H:2 * H] + gh_rz[:, H:])
        if c.reset_before:      # ONNX linear_before_reset=0
            n = torch.tanh(a[:, 2 * H:] + (r * h) @ w_hh[2 * H:].t() + b_hh[2 * H:])
        else:                   # PyTorch
            n = torch.tanh(a[:, 2 * H:] + r * (h @ w_hh[2 * H:].t() + b_hh[2 * H:]))
        return (1 - z) * n + z * h, None
    pre = a + h @ p["weight_hh_l" + s].t() + p["bias_hh_l" + s]
    return (torch.tanh(pre) if c.cell == "rnn_tanh" else torch.relu(pre)), None


def by_manual(c, params, x, lengths, h0, c0):
    """Every option from the cell equations in torch ops, step by step with packed semantics:
    sequence b's state stops at its length, its input past the length is never used, its output there
    is 0, and a reversed direction starts at step len_b - 1."""
    leaves = collections.OrderedDict((n, v.clone().requires_grad_(True)) for n, v in params.items())
    T, D = c.T, dirs(c)
    valid = (torch.arange(T).unsqueeze(1) < lengths.unsqueeze(0)).unsqueeze(2)   # (T, B, 1)
    inp, hs, cs = x, [], []
    for l in range(c.L):
        inp = torch.where(valid, inp, torch.zeros(()))       # padding never reaches the cell
        outs = []
        for d in range(D):
            s, u = unit_suffix(c, l, d), l * D + d
            h = h0[u]
            cell_state = c0[u] if c.cell == "lstm" else None
            steps = [None] * T
            for t in (reversed(range(T)) if c.direction == "reverse" or d == 1 else range(T)):
                h_new, c_new = manual_step(c, leaves, s, inp[t], h, cell_state)
                m = valid[t]
                h = torch.where(m, h_new, h)
                if c.cell == "lstm":
                    cell_state = torch.where(m, c_new, cell_state)
                steps[t] = torch.where(m, h_new, torch.zeros(()))
            outs.append(torch.stack(steps))
            hs.append(h)
            cs.append(cell_state)
        if D == 1:
            inp = outs[0]
        else:
            inp = torch.cat(outs, 2) if c.merge == "concat" else outs[0] + outs[1]
    return inp, torch.stack(hs), (torch.stack(cs) if c.cell == "lstm" else None), leaves


def evaluate(c, derivation, params, data):
    """Runs one derivation; returns {result name: tensor} with the loss gradients."""
    lstm = c.cell == "lstm"
    x = data["input"].clone().requires_grad_(True)
    h0 = data["h0"].clone().requires_grad_(True)
    c0 = data["c0"].clone().requires_grad_(True) if lstm else None
    output, h_n, c_n, leaves = derivation(c, params, x, data["lengths"], h0, c0)
    assert set(leaves) == set(params), (sorted(leaves), sorted(params))
    loss = (output * data["grad_output"]).sum() + (h_n * data["grad_h_n"]).sum()
    if lstm:
        loss = loss + (c_n * data["grad_c_n"]).sum()
    names = list(params)
    inputs = [x, h0] + ([c0] if lstm else []) + [leaves[n] for n in names]
    grads = torch.autograd.grad(loss, inputs)
    r = collections.OrderedDict([("output", output), ("h_n", h_n)])
    if lstm:
        r["c_n"] = c_n
    r["grad.input"], r["grad.h0"] = grads[0], grads[1]
    if lstm:
        r["grad.c0"] = grads[2]
    for n, g in zip(names, grads[3 if lstm else 2:]):
        r["grad." + n] = g
    return collections.OrderedDict((k, v.detach()) for k, v in r.items())


def module_derivable(c):
    return not c.peephole and not c.reset_before


def max_abs_diff(a, b, keys):
    return max((a[k] - b[k]).abs().max().item() for k in keys)


def validate_manual(c):
    """The manual cells against torch.nn, on this case's data with the options torch lacks turned off
    (peephole weights 0, reset-after GRU) and, separately, with every direction/merge torch.nn builds
    directly. Returns [(description, max abs diff over all results and gradients)]."""
    variants = []
    if c.peephole:
        variants.append(("peephole weights 0", c, c._replace(peephole=False)))
    elif c.reset_before:
        variants.append(("reset-after", c._replace(reset_before=False), c._replace(reset_before=False)))
    else:
        variants.append(("same options", c, c))
    plain = c._replace(peephole=False, reset_before=False, merge="concat",
                       direction="forward" if c.direction == "reverse" else c.direction)
    if plain not in (v[2] for v in variants):
        variants.append(("plain torch.nn (%s, concat)" % plain.direction, plain, plain))
    report = []
    for what, manual_case, module_case in variants:
        params, data = draw_case(manual_case)
        if manual_case.peephole:
            for n in params:
                if n.startswith("weight_peephole"):
                    params[n].zero_()
        by_m = evaluate(manual_case, by_manual, params, data)
        module_params = collections.OrderedDict((n, v) for n, v in params.items()
                                                if not n.startswith("weight_peephole"))
        by_t = evaluate(module_case, by_modules, module_params, data)
        keys = list(by_t)
        diff = max_abs_diff(by_m, by_t, keys)
        assert diff <= MANUAL_TOL, "%s: manual cell vs torch.nn (%s): %g" % (c.name, what, diff)
        report.append(("max |diff| manual cells vs torch.nn, " + what, diff))
    return report


def scalar_forward(c, params, data):
    """The forward pass once more in plain Python floats, sequence by sequence over its valid steps
    only (math.exp / math.tanh, explicit loops): an independent transcription of the cell equations,
    to check the derivations with the options on. Returns nested lists output[t][b], h_n[u][b], c_n[u][b]."""
    p = {n: v.tolist() for n, v in params.items()}
    x, lengths, h0 = data["input"].tolist(), data["lengths"].tolist(), data["h0"].tolist()
    lstm = c.cell == "lstm"
    c0 = data["c0"].tolist() if lstm else None
    H, D, O, U = c.H, dirs(c), output_size(c), c.L * dirs(c)

    def sig(v):
        return 1.0 / (1.0 + math.exp(-v))

    def mv(w, v):
        return [sum(wi * vi for wi, vi in zip(row, v)) for row in w]

    def add(*vs):
        return [sum(t) for t in zip(*vs)]

    def step(s, xt, h, cs):
        gi = add(mv(p["weight_ih_l" + s], xt), p["bias_ih_l" + s])
        w_hh, b_hh = p["weight_hh_l" + s], p["bias_hh_l" + s]
        if lstm:
            a = add(gi, mv(w_hh, h), b_hh)
            pp = p["weight_peephole_l" + s] if c.peephole else [0.0] * (3 * H)
            i = [sig(a[k] + pp[k] * cs[k]) for k in range(H)]
            f = [sig(a[H + k] + pp[H + k] * cs[k]) for k in range(H)]
            g = [math.tanh(a[2 * H + k]) for k in range(H)]
            c_new = [f[k] * cs[k] + i[k] * g[k] for k in range(H)]
            o = [sig(a[3 * H + k] + pp[2 * H + k] * c_new[k]) for k in range(H)]
            hh = [o[k] * math.tanh(c_new[k]) for k in range(H)]
            return (mv(p["weight_hr_l" + s], hh) if c.proj_size > 0 else hh), c_new
        if c.cell == "gru":
            gh = add(mv(w_hh, h), b_hh)
            r = [sig(gi[k] + gh[k]) for k in range(H)]
            z = [sig(gi[H + k] + gh[H + k]) for k in range(H)]
            if c.reset_before:
                rh = [r[k] * h[k] for k in range(H)]
                hn = add(mv(w_hh[2 * H:], rh), b_hh[2 * H:])
            else:
                hn = [r[k] * gh[2 * H + k] for k in range(H)]
            n = [math.tanh(gi[2 * H + k] + hn[k]) for k in range(H)]
            return [(1 - z[k]) * n[k] + z[k] * h[k] for k in range(H)], None
        a = add(gi, mv(w_hh, h), b_hh)
        return [math.tanh(v) if c.cell == "rnn_tanh" else max(v, 0.0) for v in a], None

    out = [[[0.0] * O for _ in range(c.B)] for _ in range(c.T)]
    h_n = [[None] * c.B for _ in range(U)]
    c_n = [[None] * c.B for _ in range(U)]
    for b in range(c.B):
        n = lengths[b]
        seq = [x[t][b] for t in range(n)]
        for l in range(c.L):
            outs = []
            for d in range(D):
                s, u = unit_suffix(c, l, d), l * D + d
                h, cs = h0[u][b], (c0[u][b] if lstm else None)
                ys = [None] * n
                for t in (reversed(range(n)) if c.direction == "reverse" or d == 1 else range(n)):
                    h, cs = step(s, seq[t], h, cs)
                    ys[t] = h
                outs.append(ys)
                h_n[u][b], c_n[u][b] = h, cs
            if D == 1:
                seq = outs[0]
            elif c.merge == "concat":
                seq = [outs[0][t] + outs[1][t] for t in range(n)]
            else:
                seq = [add(outs[0][t], outs[1][t]) for t in range(n)]
        for t in range(n):
            out[t][b] = seq[t]
    return out, h_n, (c_n if lstm else None)


def scalar_check(c, params, data, res):
    """max |diff| between scalar_forward and the derivation's output, h_n, c_n."""
    out, h_n, c_n = scalar_forward(c, params, data)
    diff = max((res["output"] - torch.tensor(out)).abs().max().item(),
               (res["h_n"] - torch.tensor(h_n)).abs().max().item())
    if c_n is not None:
        diff = max(diff, (res["c_n"] - torch.tensor(c_n)).abs().max().item())
    assert diff <= MANUAL_TOL, "%s: derivation vs scalar forward: %g" % (c.name, diff)
    return diff


def option_effect(c, params, data, res):
    """The smallest normwise relative change over output, h_n and the input/weight gradients when the
    manual-only option is turned off (peephole weights 0, or reset-after) on the same data: the files
    are useless if the option hardly matters."""
    params = collections.OrderedDict((n, v.clone()) for n, v in params.items())
    off = c
    if c.peephole:
        for n in params:
            if n.startswith("weight_peephole"):
                params[n].zero_()
    else:
        off = c._replace(reset_before=False)
    res_off = evaluate(off, by_manual, params, data)
    keys = ["output", "h_n", "grad.input", "grad.weight_hh_l0"]
    effect = min(((res[k] - res_off[k]).norm() / res_off[k].norm()).item() for k in keys)
    assert effect > 0.05, "%s: the option changes %s by only %g" % (c.name, keys, effect)
    return effect


def make_option_case(c):
    assert len(c.lengths) == c.B and max(c.lengths) == c.T and min(c.lengths) == 1
    params, data = draw_case(c)
    manual_only = not module_derivable(c)
    res = evaluate(c, by_manual if manual_only else by_modules, params, data)
    report = validate_manual(c)
    report.append(("max |diff| vs scalar Python forward, options on", scalar_check(c, params, data, res)))
    if manual_only:
        report.append(("option effect: min relative change, option off", option_effect(c, params, data, res)))

    # The promises the Java tests rely on (+0.0 exactly: JUnit's assertEquals(0.0, x) tells -0.0 apart).
    T, B, I, O = c.T, c.B, c.I, output_size(c)
    valid = (torch.arange(T).unsqueeze(1) < data["lengths"].unsqueeze(0)).unsqueeze(2)
    for key, width in (("output", O), ("grad.input", I)):
        pad = res[key][~valid.expand(T, B, width)]
        assert torch.all(pad == 0) and not torch.any(torch.signbit(pad)), c.name + ": " + key + " at padding"
    assert torch.all(data["input"][~valid.expand(T, B, I)] != 0), c.name + ": padding garbage has zeros"
    assert torch.all(data["grad_output"][~valid.expand(T, B, O)] != 0)

    lstm = c.cell == "lstm"
    tensors = list(params.items())
    tensors += [(n, data[n]) for n in ("input", "lengths", "h0") + (("c0",) if lstm else ())]
    tensors += [(n, data[n]) for n in ("grad_output", "grad_h_n") + (("grad_c_n",) if lstm else ())]
    tensors += list(res.items())
    for n, t in tensors:
        if t.dtype.is_floating_point:
            assert t.dtype == torch.float64, n

    opts = []
    if c.proj_size > 0:
        opts.append("proj_size=%d" % c.proj_size)
    if c.direction == "bidirectional":
        opts.append("bidirectional=True")
    module_name = "torch.nn." + {"lstm": "LSTM", "gru": "GRU"}.get(c.cell, "RNN")
    if manual_only:
        derivation = ("manual: cell equations in torch ops (make_golden.py by_manual), packed semantics by "
                      "masking; gradients by autograd; checked against %s with %s" % (
                          module_name, "peephole weights 0" if c.peephole else "reset-after"))
    elif c.direction == "reverse":
        derivation = ("per layer a forward %s(num_layers=1) on each sequence reversed within its length, "
                      "output un-reversed; gradients by autograd" % module_name)
    elif c.merge == "sum":
        derivation = ("per layer a %s(num_layers=1, bidirectional=True), output = forward half + reverse "
                      "half; gradients by autograd" % module_name)
    else:
        derivation = "%s(%s) on pack_padded_sequence(enforce_sorted=False); gradients by autograd" % (
            module_name, ", ".join(["num_layers=%d" % c.L] + opts + (["batch_first=True"] if c.batch_first else [])))
    metadata = {
        "cell": c.cell,
        "input_size": str(c.I),
        "hidden_size": str(c.H),
        "num_layers": str(c.L),
        "seq_len": str(T),
        "batch": str(B),
        "batch_first": "1" if c.batch_first else "0",
        "packed": "1",
        "bias": "1",
        "direction": c.direction,
        "merge": c.merge,
        "proj_size": str(c.proj_size),
        "peephole": "1" if c.peephole else "0",
        "reset_before": "1" if c.reset_before else "0",
        "layout": "seq-first: input, output, grad_output, grad.input are (T, B, .) even when batch_first=1; "
                  "h0, h_n, grad_h_n, grad.h0 are (L*D, B, P), c0, c_n, grad_c_n, grad.c0 (L*D, B, H)",
        "loss": "sum(output*grad_output)+sum(h_n*grad_h_n)" + ("+sum(c_n*grad_c_n)" if lstm else ""),
        "derivation": derivation,
        "seed": str(c.seed),
        "weight_scale": str(WEIGHT_SCALE),
        "torch_version": torch.__version__,
        "generator": GENERATOR,
    }
    return tensors, metadata, report


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
    for c in OPTION_CASES:
        tensors, metadata, report = make_option_case(c)
        path = os.path.join(out_dir, c.name + ".safetensors")
        write_safetensors(path, tensors, metadata)
        print("%-40s %7d bytes" % (os.path.relpath(path, root), os.path.getsize(path)))
        for what, diff in report:
            print("    %-66s %.2e" % (what + ":", diff))
    try:
        from safetensors.torch import load_file  # optional cross-check, never required
    except ImportError:
        return
    for name in [case[0] for case in CASES] + [c.name for c in OPTION_CASES]:
        load_file(os.path.join(out_dir, name + ".safetensors"))


if __name__ == "__main__":
    main()
