#!/usr/bin/python3
"""How to hand a PyTorch recurrent model to rnn4j: save its state_dict as safetensors, and an input file.

Builds a model of the usual shape, optional nn.Embedding -> nn.LSTM / nn.GRU / nn.RNN -> optional
nn.Linear, and writes into OUTDIR:

  model.safetensors         model.state_dict() in float32, names as PyTorch gives them
                            ("embedding.weight", "rnn.weight_ih_l0", ..., "fc.weight", "fc.bias")
  input.safetensors         x (T, B, I) float32, or (T, B) int64 token ids with --vocab; lengths (B)
                            int64 (unsorted, one of them T); h0 (L*D, B, P) and, for an LSTM, c0
  torch_output.safetensors  PyTorch's own y, h_n (, c_n) in float32, y zeroed past each length

and prints the `rnn4j infer` command that computes the same outputs. ((B, T, .) for x and y with
--batch-first.) Runs with Debian's /usr/bin/python3 and python3-torch alone: the safetensors encoding
is tools/pytorch/st_io.py. With your own model, all you need is save_state_dict() below.

Usage: /usr/bin/python3 tools/pytorch/save_model.py OUTDIR [--cell lstm|gru|rnn_tanh|rnn_relu]
       [--input I] [--hidden H] [--layers L] [--bidirectional] [--proj P] [--no-bias] [--batch-first]
       [--vocab V] [--out O] [--seq T] [--batch B] [--seed S]
"""
import argparse
import os
import sys

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st_io import write_safetensors  # noqa: E402


def save_state_dict(module, path):
    """What a user does with any model: its state_dict, as float32, into a safetensors file. The
    metadata {"format": "pt"} is what safetensors.torch writes too; rnn4j does not need it."""
    write_safetensors(path, [(k, v.float()) for k, v in module.state_dict().items()], {"format": "pt"})


class SeqModel(torch.nn.Module):
    """Embedding (optional) -> RNN -> Linear head (optional), y zero past each sequence's length."""

    def __init__(self, cell, input_size, hidden, layers, bidirectional, proj, bias, batch_first, vocab, out):
        super().__init__()
        if vocab:
            self.embedding = torch.nn.Embedding(vocab, input_size)
        kw = dict(num_layers=layers, bidirectional=bidirectional, bias=bias, batch_first=batch_first)
        if cell == "lstm":
            self.rnn = torch.nn.LSTM(input_size, hidden, proj_size=proj, **kw)
        elif cell == "gru":
            self.rnn = torch.nn.GRU(input_size, hidden, **kw)
        else:
            self.rnn = torch.nn.RNN(input_size, hidden, nonlinearity=cell[4:], **kw)
        width = (2 if bidirectional else 1) * (proj or hidden)
        if out:
            self.fc = torch.nn.Linear(width, out)
        self.batch_first = batch_first

    def forward(self, x, lengths, state=None):
        if hasattr(self, "embedding"):
            x = self.embedding(x)
        packed = pack_padded_sequence(x, lengths, batch_first=self.batch_first, enforce_sorted=False)
        y, state = self.rnn(packed, state)
        T = x.shape[1] if self.batch_first else x.shape[0]
        y, _ = pad_packed_sequence(y, batch_first=self.batch_first, total_length=T)
        if hasattr(self, "fc"):
            mask = (torch.arange(T).unsqueeze(1) < lengths.unsqueeze(0)).unsqueeze(2)   # (T, B, 1)
            if self.batch_first:
                mask = mask.transpose(0, 1)
            y = self.fc(y) * mask
        return y, state


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("outdir")
    p.add_argument("--cell", default="lstm", choices=["lstm", "gru", "rnn_tanh", "rnn_relu"])
    p.add_argument("--input", type=int, default=5)
    p.add_argument("--hidden", type=int, default=8)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--bidirectional", action="store_true")
    p.add_argument("--proj", type=int, default=0, help="LSTM proj_size")
    p.add_argument("--no-bias", action="store_true")
    p.add_argument("--batch-first", action="store_true")
    p.add_argument("--vocab", type=int, default=0, help="put an nn.Embedding(V, I) in front; x is token ids")
    p.add_argument("--out", type=int, default=0, help="put an nn.Linear(., O) head after the RNN")
    p.add_argument("--seq", type=int, default=6)
    p.add_argument("--batch", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    torch.manual_seed(a.seed)
    model = SeqModel(a.cell, a.input, a.hidden, a.layers, a.bidirectional, a.proj, not a.no_bias, a.batch_first,
                     a.vocab, a.out).eval()
    T, B = a.seq, a.batch
    D = 2 if a.bidirectional else 1
    P = a.proj or a.hidden
    lengths = torch.randint(1, T + 1, (B,))
    lengths[torch.randint(0, B, (1,))] = T
    x = torch.randint(0, a.vocab, (T, B)) if a.vocab else torch.randn(T, B, a.input)
    h0 = 0.5 * torch.randn(a.layers * D, B, P)
    c0 = 0.5 * torch.randn(a.layers * D, B, a.hidden) if a.cell == "lstm" else None
    if a.batch_first:
        x = x.transpose(0, 1).contiguous()
    with torch.no_grad():
        y, state = model(x, lengths, (h0, c0) if c0 is not None else h0)
    h_n, c_n = state if c0 is not None else (state, None)

    os.makedirs(a.outdir, exist_ok=True)
    save_state_dict(model, os.path.join(a.outdir, "model.safetensors"))
    inputs = [("x", x), ("lengths", lengths), ("h0", h0)] + ([("c0", c0)] if c0 is not None else [])
    write_safetensors(os.path.join(a.outdir, "input.safetensors"), inputs)
    outputs = [("y", y), ("h_n", h_n)] + ([("c_n", c_n)] if c_n is not None else [])
    write_safetensors(os.path.join(a.outdir, "torch_output.safetensors"), outputs)

    print("saved", ", ".join("%s %s" % (k, list(v.shape)) for k, v in model.state_dict().items()))
    opts = (" --cell rnn_relu" if a.cell == "rnn_relu" else "") + (" --batch-first" if a.batch_first else "")
    d = a.outdir
    print("now:  ./rnn4j infer --model %s/model.safetensors --input %s/input.safetensors --output %s/y.safetensors%s"
          % (d, d, d, opts))


if __name__ == "__main__":
    main()
