#!/usr/bin/python3
"""Writes the PyTorch golden file for rnn4j's nn layers and losses (org.rnn4j.nn).

One small fixed case per module, computed by torch.nn / torch.nn.functional in float64 from inputs
drawn in float32 (so the Java side, which works in float, receives them exactly), gradients by
autograd:

  emb.*    nn.Embedding(7, 5): ids (6, with repeats) -> out (6, 5); loss sum(out * emb.grad_out)
           -> emb.grad_weight (7, 5)
  lin.*    nn.Linear(5, 4) with PyTorch's default init: x (6, 5) -> y (6, 4); loss sum(y * lin.grad_y)
           -> lin.grad_weight (4, 5), lin.grad_bias (4), lin.grad_x (6, 5)
  ce.*     F.cross_entropy, logits (6, 5), targets (6) with two rows = -100 (ignore_index):
           ce.loss_mean (reduction='mean', autograd -> ce.grad_mean) and ce.loss_sum ('sum' ->
           ce.grad_sum)
  cex.*    the same with extreme logits (+-1e4 and near-ties at 1e4): cex.loss_sum, cex.grad_sum
  mse.*    F.mse_loss, pred and target (7): mse.loss_mean (-> mse.grad_mean) and mse.loss_sum

Losses are stored as shape [1] F64 tensors, ids and targets as I64. The safetensors encoding is
written with struct + json (as make_golden.py does), independent of rnn4j's Java writer.

Usage: /usr/bin/python3 tools/golden/make_nn_golden.py [output_file]
Default output: src/test/resources/golden_nn/nn_layers.safetensors
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st_writer import write_safetensors  # noqa: E402
import torch.nn.functional as F

GENERATOR = "tools/golden/make_nn_golden.py"
SEED = 4242




def f32(*shape):
    """Standard normal drawn in float32, returned as float64 (exactly representable in float)."""
    return torch.randn(*shape, dtype=torch.float32).double()


def scalar(x):
    return x.detach().reshape(1).double()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/golden_nn/nn_layers.safetensors"
    torch.manual_seed(SEED)
    tensors = []

    # ---- Embedding
    emb = torch.nn.Embedding(7, 5).double()
    with torch.no_grad():
        emb.weight.copy_(f32(7, 5))
    ids = torch.tensor([3, 0, 6, 3, 3, 1], dtype=torch.int64)
    emb_out = emb(ids)
    emb_grad_out = f32(6, 5)
    (emb_out * emb_grad_out).sum().backward()
    tensors += [("emb.weight", emb.weight), ("emb.ids", ids), ("emb.out", emb_out),
                ("emb.grad_out", emb_grad_out), ("emb.grad_weight", emb.weight.grad)]

    # ---- Linear (PyTorch's default init, drawn in float32)
    lin32 = torch.nn.Linear(5, 4)
    lin = torch.nn.Linear(5, 4).double()
    with torch.no_grad():
        lin.weight.copy_(lin32.weight.double())
        lin.bias.copy_(lin32.bias.double())
    x = f32(6, 5).requires_grad_(True)
    y = lin(x)
    lin_grad_y = f32(6, 4)
    (y * lin_grad_y).sum().backward()
    tensors += [("lin.weight", lin.weight), ("lin.bias", lin.bias), ("lin.x", x), ("lin.y", y),
                ("lin.grad_y", lin_grad_y), ("lin.grad_weight", lin.weight.grad),
                ("lin.grad_bias", lin.bias.grad), ("lin.grad_x", x.grad)]

    # ---- Cross-entropy with ignore_index rows
    logits = (3 * torch.randn(6, 5, dtype=torch.float32)).double().requires_grad_(True)   # float-exact
    targets = torch.tensor([2, -100, 0, 4, -100, 1], dtype=torch.int64)
    loss_mean = F.cross_entropy(logits, targets)            # ignore_index=-100, reduction='mean'
    (grad_mean,) = torch.autograd.grad(loss_mean, logits)
    loss_sum = F.cross_entropy(logits, targets, reduction="sum")
    (grad_sum,) = torch.autograd.grad(loss_sum, logits)
    tensors += [("ce.logits", logits), ("ce.targets", targets), ("ce.loss_mean", scalar(loss_mean)),
                ("ce.grad_mean", grad_mean), ("ce.loss_sum", scalar(loss_sum)), ("ce.grad_sum", grad_sum)]

    # ---- Cross-entropy, extreme logits
    xl = torch.tensor([[1e4, -1e4, 0.0, 5.0],
                       [-1e4, 1e4, 1e4, -1e4],
                       [1e4, 9999.0, 9998.5, -1e4],
                       [-1e4, -1e4, -1e4, -1e4]], dtype=torch.float64).requires_grad_(True)
    xt = torch.tensor([1, 2, 2, 3], dtype=torch.int64)
    xloss = F.cross_entropy(xl, xt, reduction="sum")
    (xgrad,) = torch.autograd.grad(xloss, xl)
    tensors += [("cex.logits", xl), ("cex.targets", xt), ("cex.loss_sum", scalar(xloss)), ("cex.grad_sum", xgrad)]

    # ---- MSE
    pred = f32(7).requires_grad_(True)
    tgt = f32(7)
    mse_mean = F.mse_loss(pred, tgt)
    (mse_grad_mean,) = torch.autograd.grad(mse_mean, pred)
    mse_sum = F.mse_loss(pred, tgt, reduction="sum")
    tensors += [("mse.pred", pred), ("mse.target", tgt), ("mse.loss_mean", scalar(mse_mean)),
                ("mse.grad_mean", mse_grad_mean), ("mse.loss_sum", scalar(mse_sum))]

    for name, t in tensors:
        assert torch.isfinite(t.double()).all(), name
    metadata = {"generator": GENERATOR, "torch": torch.__version__, "seed": str(SEED)}
    write_safetensors(out, tensors, metadata)
    print("wrote %s: %d tensors" % (out, len(tensors)))


if __name__ == "__main__":
    main()
