#!/usr/bin/python3
"""Writes the PyTorch golden files for rnn4j's optimizers and learning-rate schedules.

Optimizer cases: torch.optim.{SGD, Adagrad, Adam, AdamW} (foreach=False: the single-tensor path)
run K = 12 steps in float32 on three small tensors, from fixed initial values, with a fixed
sequence of gradients and a fixed per-step learning rate, all generated here from a seed and
stored. Each file holds the initial values, the gradients, the learning rates, the values after
every step and the final optimizer state. One file per case in src/test/resources/golden-optim/.

Schedule cases: torch.optim.lr_scheduler.StepLR and, for rnn4j's cosine-with-warm-up,
SequentialLR([LinearLR, CosineAnnealingLR]); the rate the optimizer holds at each update
s = 0, 1, ... (scheduler.step() once after each optimizer.step()). One file, lr_schedules.safetensors.

Self-check: every optimizer case is also computed by a float32 emulation, in this script, of the
formulas rnn4j implements (documented on each Java class and in docs/training.md): fma where
PyTorch's AVX2 CPU kernels fuse `a + alpha*b` (add with alpha, addcmul), every other operation
rounded to float32 on its own. The number of elements where torch and the emulation differ is
printed and stored as metadata (0 on the build the committed files were made with). A second
emulation without any fusion stands for PyTorch builds that do not fuse; its distance to torch,
in units of the Java test's tolerance, is printed and stored too.

The safetensors encoding is written with struct + json, as make_golden.py does: the files must not
depend on the Java writer, nor on the optional Python `safetensors` package.

Usage: /usr/bin/python3 tools/golden/make_optim_golden.py [output_dir]
"""
import math
import os
import sys
import warnings
from fractions import Fraction

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st_writer import write_safetensors  # noqa: E402

GENERATOR = "tools/golden/make_optim_golden.py"
K = 12  # steps per optimizer case
# name, shape: PyTorch state_dict-like names; sizes exercise torch's 16-float vector loop and its tail
TENSORS = [("rnn.weight_ih_l0", (6, 4)), ("rnn.bias_hh_l0", (5,)), ("decoder.weight", (3, 7))]
# Java test tolerance (OptimizerGoldenTest): |java - torch| <= TOL_C * k * 2^-24 * M_k per element,
# M_k = max(|p_0|, ..., |p_k|) along the torch trajectory of that element
TOL_C = 4.0

# name, torch class, torch kwargs (besides lr), rnn4j config, base lr, seed
CASES = [
    ("sgd_plain", "SGD", {}, {"optimizer": "sgd", "momentum": "0.0", "dampening": "0.0",
                              "weight_decay": "0.0", "nesterov": "false"}, 0.1, 201),
    ("sgd_momentum_dampening_wd", "SGD", {"momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01},
     {"optimizer": "sgd", "momentum": "0.9", "dampening": "0.1", "weight_decay": "0.01", "nesterov": "false"},
     0.05, 202),
    ("sgd_nesterov_wd", "SGD", {"momentum": 0.8, "weight_decay": 1e-3, "nesterov": True},
     {"optimizer": "sgd", "momentum": "0.8", "dampening": "0.0", "weight_decay": "0.001", "nesterov": "true"},
     0.05, 203),
    ("adagrad_default", "Adagrad", {},
     {"optimizer": "adagrad", "lr_decay": "0.0", "weight_decay": "0.0", "initial_accumulator_value": "0.0",
      "eps": "1.0E-10"}, 0.1, 204),
    ("adagrad_decay_wd_init", "Adagrad",
     {"lr_decay": 0.05, "weight_decay": 0.02, "initial_accumulator_value": 0.1, "eps": 1e-6},
     {"optimizer": "adagrad", "lr_decay": "0.05", "weight_decay": "0.02", "initial_accumulator_value": "0.1",
      "eps": "1.0E-6"}, 0.1, 205),
    ("adam_default", "Adam", {},
     {"optimizer": "adam", "beta1": "0.9", "beta2": "0.999", "eps": "1.0E-8", "weight_decay": "0.0"}, 0.01, 206),
    ("adam_betas_eps_wd", "Adam", {"betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.05},
     {"optimizer": "adam", "beta1": "0.8", "beta2": "0.99", "eps": "1.0E-6", "weight_decay": "0.05"}, 0.02, 207),
    ("adamw_default", "AdamW", {},
     {"optimizer": "adamw", "beta1": "0.9", "beta2": "0.999", "eps": "1.0E-8", "weight_decay": "0.01"}, 0.01, 208),
    ("adamw_betas_eps_wd", "AdamW", {"betas": (0.5, 0.9), "eps": 1e-7, "weight_decay": 0.1},
     {"optimizer": "adamw", "beta1": "0.5", "beta2": "0.9", "eps": "1.0E-7", "weight_decay": "0.1"}, 0.03, 209),
]

# StepLR: lr, step_size, gamma, number of rates
STEP_CASES = [(0.1, 3, 0.5, 40), (0.01, 7, 0.9, 100), (1.0, 1, 0.97, 200)]
# cosine with warm-up: lr, warmup W, total T, min_lr (rates for s = 0..T)
COSINE_CASES = [(0.1, 5, 40, 0.001), (0.01, 0, 25, 0.0), (3e-4, 1, 30, 1e-5), (0.05, 10, 100, 5e-4)]




# ================================================================ float32 emulation

f32 = np.float32


def fma32(a, b, c):
    """a*b + c rounded once to float32 (round to nearest, ties to even), exactly."""
    a, b, c = f32(a), f32(b), f32(c)
    exact = Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c))
    if exact == 0:
        return f32(float(a) * float(b) + float(c))  # the product is exact in double: IEEE zero sign
    x = f32(float(exact))
    best = None
    for cand in (np.nextafter(x, f32(-np.inf)), x, np.nextafter(x, f32(np.inf))):
        err = abs(Fraction(float(cand)) - exact)
        if best is None or err < best[0] or (err == best[0] and (int(cand.view(np.int32)) & 1) == 0):
            best = (err, cand)
    return best[1]


def fused_add(a, alpha, b, fused):
    """PyTorch a.add(b, alpha=alpha) in float32: fma(b, alpha, a) where fused."""
    al = f32(alpha)
    return fma32(b, al, a) if fused else f32(a + f32(al * b))


def addcmul(s, value, t1, t2, fused):
    """PyTorch s.addcmul(t1, t2, value=value): s + (value*t1)*t2, fused as fma(value*t1, t2, s)."""
    prod = f32(f32(value) * t1)
    return fma32(prod, t2, s) if fused else f32(s + f32(prod * t2))


def emulate(cls, kw, p0, grads, lrs, fused):
    """The trajectory of one case, element by element, as rnn4j computes it (fused=True)."""
    n = len(p0)
    p = [f32(x) for x in p0]
    traj = []
    state = {}
    if cls == "SGD":
        mu, tau, wd, nest = kw.get("momentum", 0.0), kw.get("dampening", 0.0), kw.get("weight_decay", 0.0), \
            kw.get("nesterov", False)
        buf = [None] * n
        for k in range(K):
            lr = lrs[k]
            for j in range(n):
                d = f32(grads[k][j])
                if wd != 0:
                    d = fused_add(d, wd, p[j], fused)
                if mu != 0:
                    buf[j] = d if k == 0 else fused_add(f32(buf[j] * f32(mu)), 1 - tau, d, fused)
                    d = fused_add(d, mu, buf[j], fused) if nest else buf[j]
                p[j] = fused_add(p[j], -lr, d, fused)
            traj.append(list(p))
        if mu != 0:
            state["momentum_buffer"] = buf
    elif cls == "Adagrad":
        lr_decay, wd, init, eps = kw.get("lr_decay", 0.0), kw.get("weight_decay", 0.0), \
            kw.get("initial_accumulator_value", 0.0), kw.get("eps", 1e-10)
        s = [f32(init)] * n
        for k in range(K):
            step = k + 1
            clr = lrs[k] / (1 + (step - 1) * lr_decay)
            for j in range(n):
                d = f32(grads[k][j])
                if wd != 0:
                    d = fused_add(d, wd, p[j], fused)
                s[j] = addcmul(s[j], 1.0, d, d, fused)
                std = f32(np.sqrt(s[j]) + f32(eps))
                p[j] = f32(p[j] + f32(f32(f32(-clr) * d) / std))
            traj.append(list(p))
        state["sum"] = s
    else:
        b1, b2 = kw.get("betas", (0.9, 0.999))
        eps = kw.get("eps", 1e-8)
        wd = kw.get("weight_decay", 0.0 if cls == "Adam" else 1e-2)
        m = [f32(0)] * n
        v = [f32(0)] * n
        for k in range(K):
            lr = lrs[k]
            step = k + 1
            bc1 = 1 - b1 ** step
            bc2 = 1 - b2 ** step
            step_size = lr / bc1
            bc2_sqrt = math.sqrt(bc2)
            for j in range(n):
                d = f32(grads[k][j])
                if cls == "AdamW":
                    p[j] = f32(p[j] * f32(1 - lr * wd))
                elif wd != 0:
                    d = fused_add(d, wd, p[j], fused)
                m[j] = fused_add(f32(m[j] * f32(b1)), 1 - b1, d, fused)
                v[j] = addcmul(f32(v[j] * f32(b2)), 1 - b2, d, d, fused)
                den = f32(f32(np.sqrt(v[j]) / f32(bc2_sqrt)) + f32(eps))
                p[j] = f32(p[j] + f32(f32(f32(-step_size) * m[j]) / den))
            traj.append(list(p))
        state["exp_avg"] = m
        state["exp_avg_sq"] = v
    return traj, state


# ================================================================ optimizer cases

def make_case(name, cls, kw, config, base_lr, seed):
    g = torch.Generator().manual_seed(seed)
    params = [(n, 0.5 * torch.randn(shape, generator=g, dtype=torch.float32)) for n, shape in TENSORS]
    grads = {n: torch.randn((K,) + tuple(shape), generator=g, dtype=torch.float32) for n, shape in TENSORS}
    # a few special gradients: an element whose gradient is always exactly 0, one step 10x larger
    grads["rnn.bias_hh_l0"][:, 0] = 0.0
    grads["decoder.weight"][5] *= 10.0
    # a learning rate that changes every step: lr_k = base * (1 - 0.04 k)
    lrs = [base_lr * (1 - 0.04 * k) for k in range(K)]

    modules = [torch.nn.Parameter(p.clone()) for _, p in params]
    opt = getattr(torch.optim, cls)(modules, lr=base_lr, foreach=False, **kw)
    traj = {n: [] for n, _ in TENSORS}
    for k in range(K):
        for (n, _), p in zip(TENSORS, modules):
            p.grad = grads[n][k].clone()
        for group in opt.param_groups:
            group["lr"] = lrs[k]
        opt.step()
        for (n, _), p in zip(TENSORS, modules):
            traj[n].append(p.detach().clone())

    tensors = []
    for (n, p0) in params:
        tensors.append(("param." + n, p0))
    for n, _ in TENSORS:
        tensors.append(("grad." + n, grads[n]))
    tensors.append(("lr", torch.tensor(lrs, dtype=torch.float64)))
    for n, _ in TENSORS:
        tensors.append(("trajectory." + n, torch.stack(traj[n])))
    slots = {"SGD": ["momentum_buffer"] if kw.get("momentum", 0) != 0 else [], "Adagrad": ["sum"],
             "Adam": ["exp_avg", "exp_avg_sq"], "AdamW": ["exp_avg", "exp_avg_sq"]}[cls]
    for (n, _), p in zip(TENSORS, modules):
        st = opt.state[p]
        assert float(st.get("step", torch.tensor(float(K)))) == K
        for slot in slots:
            tensors.append(("state." + slot + "." + n, st[slot].detach().clone()))

    # self-check against the emulations, flattening all tensors into one vector
    flat_p0 = np.concatenate([p.numpy().reshape(-1) for _, p in params])
    flat_g = [np.concatenate([grads[n][k].numpy().reshape(-1) for n, _ in TENSORS]) for k in range(K)]
    flat_torch = [np.concatenate([traj[n][k].numpy().reshape(-1) for n, _ in TENSORS]) for k in range(K)]
    fused_traj, fused_state = emulate(cls, kw, flat_p0, flat_g, lrs, True)
    plain_traj, _ = emulate(cls, kw, flat_p0, flat_g, lrs, False)
    mismatches = 0
    for k in range(K):
        mismatches += int(np.sum(np.array(fused_traj[k], dtype=np.float32).view(np.int32)
                                 != flat_torch[k].view(np.int32)))
    for slot in slots:
        flat_state = np.concatenate([opt.state[p][slot].numpy().reshape(-1) for p in modules])
        mismatches += int(np.sum(np.array(fused_state[slot], dtype=np.float32).view(np.int32)
                                 != flat_state.view(np.int32)))
    worst_plain = 0.0
    m_k = np.abs(flat_p0.astype(np.float64))
    for k in range(K):
        m_k = np.maximum(m_k, np.abs(flat_torch[k].astype(np.float64)))
        unit = (k + 1) * 2.0 ** -24 * m_k
        err = np.abs(np.array(plain_traj[k], dtype=np.float64) - flat_torch[k].astype(np.float64))
        worst_plain = max(worst_plain, float(np.max(err / unit)))
    assert worst_plain <= TOL_C, "%s: the unfused emulation is %.2f tolerance units from torch" % (name, worst_plain)

    metadata = {"case": name, "torch_optimizer": "torch.optim.%s(params, lr=lr[k], foreach=False, %s)" % (
        cls, ", ".join("%s=%r" % kv for kv in kw.items())), "steps": str(K),
        "tensors": ",".join(n for n, _ in TENSORS), "slots": ",".join(slots),
        "fused_emulation_mismatches": str(mismatches),
        "unfused_emulation_error_in_k_ulp_of_max_abs": "%.4f" % worst_plain,
        "torch_version": torch.__version__, "generator": GENERATOR}
    for key, value in config.items():
        metadata["config." + key] = value
    return tensors, metadata, mismatches, worst_plain


# ================================================================ schedules

def cosine_formula(s, lr, w, t, mn):
    if s < w:
        return lr * ((s + 1) / w)
    if s >= t:
        return mn
    return mn + (lr - mn) * (1 + math.cos(math.pi * (s - w) / (t - w))) / 2


def make_schedules():
    tensors = []
    metadata = {"torch_version": torch.__version__, "generator": GENERATOR,
                "meaning": "rates[s] = optimizer.param_groups[0]['lr'] at update s, scheduler.step() after each "
                           "optimizer.step(); <tensor>.<key> metadata is the rnn4j LrSchedule config"}
    worst_cos = 0.0
    for i, (lr, step_size, gamma, n) in enumerate(STEP_CASES):
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma)
        rates = []
        for _ in range(n):
            rates.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        name = "step.%d" % i
        tensors.append((name, torch.tensor(rates, dtype=torch.float64)))
        metadata.update({name + ".schedule": "step", name + ".lr": repr(lr), name + ".step_size": str(step_size),
                         name + ".gamma": repr(gamma),
                         name + ".torch": "StepLR(step_size=%d, gamma=%r)" % (step_size, gamma)})
    for i, (lr, w, t, mn) in enumerate(COSINE_CASES):
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
        cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=t - w, eta_min=mn)
        if w == 0:
            sched, how = cosine, "CosineAnnealingLR(T_max=%d, eta_min=%r)" % (t, mn)
        else:
            if w == 1:
                warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=1.0, total_iters=1)
                wdesc = "LinearLR(start_factor=1, end_factor=1, total_iters=1)"
            else:
                warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0 / w, end_factor=1.0, total_iters=w - 1)
                wdesc = "LinearLR(start_factor=1/%d, end_factor=1, total_iters=%d)" % (w, w - 1)
            cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=t - w, eta_min=mn)
            sched = torch.optim.lr_scheduler.SequentialLR(opt, [warm, cosine], milestones=[w])
            how = "SequentialLR([%s, CosineAnnealingLR(T_max=%d, eta_min=%r)], milestones=[%d])" % (wdesc, t - w, mn, w)
        rates = []
        for s in range(t + 1):
            r = opt.param_groups[0]["lr"]
            rates.append(r)
            worst_cos = max(worst_cos, abs(r - cosine_formula(s, lr, w, t, mn)) / lr)
            opt.step()
            sched.step()
        name = "cosine.%d" % i
        tensors.append((name, torch.tensor(rates, dtype=torch.float64)))
        metadata.update({name + ".schedule": "cosine", name + ".lr": repr(lr), name + ".warmup_steps": str(w),
                         name + ".total_steps": str(t), name + ".min_lr": repr(mn), name + ".torch": how})
    metadata["cosine_worst_error_vs_formula_over_lr"] = "%.3e" % worst_cos
    assert worst_cos < 1e-14, worst_cos
    return tensors, metadata, worst_cos


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "src", "test", "resources", "golden-optim")
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    # SequentialLR calls scheduler.step(0) at its milestone, which warns about the deprecated argument
    warnings.filterwarnings("ignore", message="The epoch parameter in `scheduler.step\\(\\)`")
    for case in CASES:
        tensors, metadata, mismatches, worst_plain = make_case(*case)
        path = os.path.join(out_dir, case[0] + ".safetensors")
        write_safetensors(path, tensors, metadata)
        print("%-55s %6d bytes  fused-emulation mismatches %d, unfused error %.2f tolerance units" % (
            os.path.relpath(path, root), os.path.getsize(path), mismatches, worst_plain / TOL_C))
    tensors, metadata, worst_cos = make_schedules()
    path = os.path.join(out_dir, "lr_schedules.safetensors")
    write_safetensors(path, tensors, metadata)
    print("%-55s %6d bytes  cosine: torch vs formula %.2e lr" % (os.path.relpath(path, root), os.path.getsize(path),
                                                                 worst_cos))


if __name__ == "__main__":
    main()
