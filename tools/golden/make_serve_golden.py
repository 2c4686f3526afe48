#!/usr/bin/python3
"""Writes the PyTorch golden cases for rnn4j's PyTorch interop (org.rnn4j.interop.TorchModel and
`rnn4j infer`).

Each case is a folder under src/test/resources/golden_serve/ with three files, exactly what a user
hands to `rnn4j infer`, and what PyTorch says the answer is:

  model.safetensors     the module's state_dict as a user saves it: PyTorch names (with the
                        prefixes of the user's module tree), float32, metadata {"format": "pt"}
  input.safetensors     x (T, B, I) float, or (T, B) int64 token ids for a model with an embedding;
                        optional lengths (B) int64, h0 (L*D, B, P), c0 (L*D, B, H); (B, T, .) for x
                        in the batch_first case
  expected.safetensors  y, h_n, c_n (LSTM) in float64: the same module converted to float64
                        (module.double(), so its weights are exactly the float32 values saved) run
                        on the input in float64, packed with pack_padded_sequence(enforce_sorted=False)
                        where lengths are given; y is exactly 0 at padded steps, also after a head.
                        Metadata: the rnn4j options the case needs (cell_hint, batch_first), the
                        description, seed, torch version, and torch's own float32 error for scale.

Self-checks (the script fails if one does not hold): y is 0 at padded steps; every sequence run
alone, cut to its length and unpacked, gives the same y and h_n/c_n as the packed batch (1e-12).

The safetensors encoding is tools/golden/st_writer.py (struct + json), not rnn4j's Java writer.

Usage: /usr/bin/python3 tools/golden/make_serve_golden.py [output_dir]
"""
import collections
import copy
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st_writer import write_safetensors  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence  # noqa: E402

GENERATOR = "tools/golden/make_serve_golden.py"
# PyTorch's default init times this (as make_golden.py does): weights of about +-0.5 at H = 8, so the
# nonlinearities work away from their linear region.
WEIGHT_SCALE = 1.5
SELF_CHECK_TOL = 1e-12

# name: folder name; modules: [(dotted module path, constructor)] in registration (state_dict) order,
# with the roles "embedding", "rnn", "head"; x_dtype: dtype of x in the input file (int64 = tokens);
# state: which initial states the input file holds and their dtype.
Case = collections.namedtuple("Case", "name description modules T B lengths x_dtype states state_dtype "
                                      "batch_first cell_hint seed")

CASES = [
    Case("lstm_bi_proj_l2_packed",
         "2-layer bidirectional nn.LSTM(5, 8, proj_size=3) under 'rnn.', unsorted packed lengths, "
         "x, h0 and c0 float64",
         [("rnn", "rnn", lambda: torch.nn.LSTM(5, 8, num_layers=2, bidirectional=True, proj_size=3))],
         6, 4, [3, 6, 1, 4], torch.float64, ("h0", "c0"), torch.float64, False, "", 301),
    Case("gru_embedding_head_tokens",
         "word_language_model layout: nn.Embedding(11, 6) 'encoder.', nn.GRU(6, 7) 'rnn.', "
         "nn.Linear(7, 11) 'decoder.'; int64 token ids, packed lengths",
         [("encoder", "embedding", lambda: torch.nn.Embedding(11, 6)),
          ("rnn", "rnn", lambda: torch.nn.GRU(6, 7)),
          ("decoder", "head", lambda: torch.nn.Linear(7, 11))],
         7, 3, [7, 2, 5], torch.int64, (), None, False, "", 302),
    Case("rnn_relu_l3_h0",
         "bare 3-layer nn.RNN(4, 6, nonlinearity='relu') (no prefix), h0 float32; the nonlinearity is "
         "not in a state_dict: rnn4j needs --cell rnn_relu",
         [("", "rnn", lambda: torch.nn.RNN(4, 6, num_layers=3, nonlinearity="relu"))],
         5, 3, None, torch.float32, ("h0",), torch.float32, False, "rnn_relu", 303),
    Case("lstm_fc_h0_c0",
         "nn.LSTM(5, 9) under 'lstm.' with an nn.Linear(9, 3) head 'fc.'; h0, c0 float32, packed lengths",
         [("lstm", "rnn", lambda: torch.nn.LSTM(5, 9)),
          ("fc", "head", lambda: torch.nn.Linear(9, 3))],
         6, 2, [6, 4], torch.float32, ("h0", "c0"), torch.float32, False, "", 304),
    Case("gru_batch_first_deep_prefix",
         "2-layer nn.GRU(4, 5, batch_first=True) at 'model.encoder.rnn.', x (B, T, I) float32, "
         "packed lengths; rnn4j needs --batch-first",
         [("model.encoder.rnn", "rnn", lambda: torch.nn.GRU(4, 5, num_layers=2, batch_first=True))],
         5, 3, [2, 5, 4], torch.float32, (), None, True, "", 305),
    Case("rnn_tanh_nobias_head",
         "2-layer nn.RNN(3, 6, bias=False) 'rnn.' with nn.Linear(6, 2, bias=False) head 'out.'; "
         "no bias tensors at all, packed lengths",
         [("rnn", "rnn", lambda: torch.nn.RNN(3, 6, num_layers=2, bias=False)),
          ("out", "head", lambda: torch.nn.Linear(6, 2, bias=False))],
         4, 3, [4, 1, 3], torch.float32, (), None, False, "", 306),
]


def build(case):
    """The user's module tree: nested nn.Modules so that state_dict names carry the dotted paths."""
    root = torch.nn.Module()
    roles = {}
    for path, role, make in case.modules:
        module = make()
        if path == "":
            assert len(case.modules) == 1
            root = module
        else:
            parent = root
            parts = path.split(".")
            for p in parts[:-1]:
                if not hasattr(parent, p):
                    parent.add_module(p, torch.nn.Module())
                parent = getattr(parent, p)
            parent.add_module(parts[-1], module)
        roles[role] = module
    with torch.no_grad():
        for p in roles["rnn"].parameters():
            p.mul_(WEIGHT_SCALE)
        if "head" in roles:
            for p in roles["head"].parameters():
                p.mul_(WEIGHT_SCALE)
    return root, roles


def run(case, roles, x, lengths, state):
    """embedding -> rnn (packed when lengths are given) -> head; y zeroed at padded steps.
    x, y are in the case's layout ((B, T, .) when batch_first)."""
    rnn = roles["rnn"]
    feats = roles["embedding"](x) if "embedding" in roles else x
    if lengths is not None:
        seq = pack_padded_sequence(feats, lengths, batch_first=case.batch_first, enforce_sorted=False)
        out, state_n = rnn(seq, state)
        T = x.shape[1] if case.batch_first else x.shape[0]
        y, _ = pad_packed_sequence(out, batch_first=case.batch_first, total_length=T)
    else:
        y, state_n = rnn(feats, state)
    if "head" in roles:
        y = roles["head"](y)
        if lengths is not None:
            y = y * valid_mask(case, lengths, y.dtype)
    return y, state_n


def valid_mask(case, lengths, dtype):
    """1 at steps t < lengths[b], 0 after; (T, B, 1) or (B, T, 1)."""
    m = (torch.arange(case.T).unsqueeze(1) < lengths.unsqueeze(0)).to(dtype).unsqueeze(2)   # (T, B, 1)
    return m.transpose(0, 1) if case.batch_first else m


def split(state_n, lstm):
    return state_n if lstm else (state_n, None)


def make_case(case):
    torch.manual_seed(case.seed)
    root, roles = build(case)
    rnn = roles["rnn"]
    lstm = isinstance(rnn, torch.nn.LSTM)
    D = 2 if rnn.bidirectional else 1
    H = rnn.hidden_size
    P = rnn.proj_size if lstm and rnn.proj_size > 0 else H
    units = rnn.num_layers * D
    T, B = case.T, case.B
    lengths = torch.tensor(case.lengths, dtype=torch.int64) if case.lengths is not None else None

    if case.x_dtype == torch.int64:
        V = roles["embedding"].num_embeddings
        x = torch.randint(0, V, (T, B), dtype=torch.int64)
    else:
        x = torch.randn(T, B, rnn.input_size, dtype=case.x_dtype)
    if case.batch_first:
        x = x.transpose(0, 1).contiguous()
    inputs = [("x", x)]
    if lengths is not None:
        inputs.append(("lengths", lengths))
    h0 = c0 = None
    if "h0" in case.states:
        h0 = (0.5 * torch.randn(units, B, P)).to(case.state_dtype)
        inputs.append(("h0", h0))
    if "c0" in case.states:
        c0 = (0.5 * torch.randn(units, B, H)).to(case.state_dtype)
        inputs.append(("c0", c0))

    state_dict = root.state_dict()
    for n, t in state_dict.items():
        assert t.dtype == torch.float32, n

    # The expected results: the same module in float64 (weights exactly the float32 ones saved).
    roles64 = {k: copy.deepcopy(m).double() for k, m in roles.items()}
    x64 = x if case.x_dtype == torch.int64 else x.double()

    def state_of(h, c, sel=slice(None)):
        if h is None and c is None:
            return None
        hh = h[:, sel].double() if h is not None else torch.zeros(units, 1 if sel != slice(None) else B, P,
                                                                    dtype=torch.float64)
        if not lstm:
            return hh
        cc = c[:, sel].double() if c is not None else torch.zeros(hh.shape[0], hh.shape[1], H, dtype=torch.float64)
        return (hh, cc)

    with torch.no_grad():
        y, state_n = run(case, roles64, x64, lengths, state_of(h0, c0))
        h_n, c_n = split(state_n, lstm)
        # torch's own float32 run, for scale: how far float32 arithmetic lands from float64 here.
        x32 = x if case.x_dtype == torch.int64 else x.float()
        st32 = state_of(h0, c0)
        st32 = None if st32 is None else (tuple(s.float() for s in st32) if lstm else st32.float())
        y32, state32 = run(case, roles, x32, lengths, st32)
        h32, c32 = split(state32, lstm)

        # Self-check 1: y is exactly 0 at padded steps.
        if lengths is not None:
            pad = valid_mask(case, lengths, torch.float64).expand_as(y) == 0
            assert torch.all(y[pad] == 0), case.name + ": y not zero at padding"
        # Self-check 2: each sequence alone, cut to its length, unpacked, gives the same results.
        worst = 0.0
        for b in range(B):
            n = T if lengths is None else int(lengths[b])
            xb = x64[b:b + 1, :n] if case.batch_first else x64[:n, b:b + 1]
            one = case._replace(T=n)
            yb, sb = run(one, roles64, xb, None, state_of(h0, c0, slice(b, b + 1)))
            hb, cb = split(sb, lstm)
            ref_y = y[b:b + 1, :n] if case.batch_first else y[:n, b:b + 1]
            worst = max(worst, (yb - ref_y).abs().max().item(), (hb - h_n[:, b:b + 1]).abs().max().item())
            if lstm:
                worst = max(worst, (cb - c_n[:, b:b + 1]).abs().max().item())
        assert worst <= SELF_CHECK_TOL, "%s: per-sequence run differs by %g" % (case.name, worst)

    def rel(a32, a64):
        return ((a32.double() - a64).norm() / a64.norm()).item()

    expected = [("y", y), ("h_n", h_n)] + ([("c_n", c_n)] if lstm else [])
    torch_f32 = {"y": rel(y32, y), "h_n": rel(h32, h_n)}
    if lstm:
        torch_f32["c_n"] = rel(c32, c_n)
    meta_expected = {
        "case": case.name,
        "description": case.description,
        "cell_hint": case.cell_hint,
        "batch_first": "1" if case.batch_first else "0",
        "seed": str(case.seed),
        "weight_scale": str(WEIGHT_SCALE),
        "computed": "float64 (module.double() of the float32 weights), packed with enforce_sorted=False "
                    "where lengths are given; y zeroed at padded steps",
        "torch_float32_rel_error": ", ".join("%s %.2e" % kv for kv in torch_f32.items()),
        "self_check_per_sequence_max_abs": "%.2e" % worst,
        "torch_version": torch.__version__,
        "generator": GENERATOR,
    }
    return list(state_dict.items()), inputs, expected, meta_expected, worst, torch_f32


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "src", "test", "resources", "golden_serve")
    torch.use_deterministic_algorithms(True)
    for case in CASES:
        model, inputs, expected, meta, worst, f32 = make_case(case)
        folder = os.path.join(out_dir, case.name)
        write_safetensors(os.path.join(folder, "model.safetensors"), model, {"format": "pt"})
        write_safetensors(os.path.join(folder, "input.safetensors"), inputs, {})
        write_safetensors(os.path.join(folder, "expected.safetensors"), expected, meta)
        print("%-32s self-check %.1e   torch float32 vs float64: %s" % (
            case.name, worst, ", ".join("%s %.1e" % kv for kv in f32.items())))


if __name__ == "__main__":
    main()
