#!/usr/bin/env python3
"""Charts and tables of the scaling sweep (jmh/scaling; docs/performance.md, "Scaling" and "Memory
against T").

usage: jmh/scaling-chart.py OUTDIR [IMGDIR]

Reads OUTDIR/time-vs-T.jsonl and OUTDIR/time-vs-BH2.jsonl (`rnn4j bench --json` lines) and
OUTDIR/memory.jsonl (org.rnn4j.bench.MemoryScaling lines); any of them may be missing. Writes to
IMGDIR (default docs/img):

  scaling-time-vs-T.svg       ms per call against T, log-log, training step and inference, each with
                              a dashed line of slope 1 through its middle point (linear cost lies on it)
  scaling-time-vs-BH2.svg     ms per call against B·H² (I = H, so the GEMM work is ∝ B·H²), log-log,
                              one line per B, with a dashed slope-1 line through the middle training point
  scaling-memory-vs-T.svg     MB against T, log-log: BPTT measured (heap), BPTT workspace accounting,
                              BPTT needed by backward (formula), TBPTT measured (heap), VmHWM

and prints the markdown tables for docs/performance.md on standard output. Standard library only.
"""
import json
import math
import os
import sys

COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#9c755f", "#bab0ac"]


def read(path):
    if not os.path.exists(path):
        return []
    rows = []
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            rows.append(json.loads(line))
    return rows


def num(v):
    """A table figure with about three significant digits: 2456, 24.6, 2.46, 0.0246."""
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def shape(s):
    t, b, i, h = (int(v) for v in s.split("x"))
    return t, b, i, h


# ------------------------------------------------------------------ SVG, log-log


def fmt(v):
    """Axis label: 10, 300, 3k, 10k, 1M, 0.5."""
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{v / div:g}{suffix}"
    return f"{v:g}"


def ticks(lo, hi):
    """Decades, with 2 and 5 between them when the range spans at most three decades."""
    d0, d1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    steps = (1, 2, 5) if d1 - d0 <= 3 else (1,)
    out = []
    for d in range(d0, d1 + 1):
        for m in steps:
            v = m * 10 ** d
            if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9):
                out.append(v)
    return out


def loglog(path, title, xlabel, ylabel, series, refs=(), note=""):
    """series: (label, color, dash, [(x, y), ...]); refs: (label, color, [(x, y), ...]) slope lines."""
    refs = [r for r in refs if r[2]]
    pts = [p for s in series for p in s[3] if p[1] > 0]
    if not pts:
        return False
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    xlo, xhi = 10 ** math.floor(math.log10(min(xs))), 10 ** math.ceil(math.log10(max(xs)))
    ylo, yhi = 10 ** math.floor(math.log10(min(ys))), 10 ** math.ceil(math.log10(max(ys)))
    left, top, w, h = 70, 40, 520, 340
    legend = 18 * len(series) + 18 * len(refs)
    # 13 px sans-serif averages about 7 px per character: a long title widens the image
    width, height = max(left + w + 20, left + 7 * len(title)), top + h + 50 + legend + (16 if note else 0)

    def X(v):
        return left + w * (math.log10(v) - math.log10(xlo)) / (math.log10(xhi) - math.log10(xlo))

    def Y(v):
        return top + h - h * (math.log10(v) - math.log10(ylo)) / (math.log10(yhi) - math.log10(ylo))

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<defs><clipPath id="plot"><rect x="{left}" y="{top}" width="{w}" height="{h}"/></clipPath></defs>',
           f'<text x="{left}" y="20" font-size="13">{title}</text>',
           f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="none" stroke="#333"/>']
    for v in ticks(xlo, xhi):
        svg.append(f'<line x1="{X(v):.1f}" y1="{top}" x2="{X(v):.1f}" y2="{top + h}" stroke="#e4e4e4"/>'
                   f'<text x="{X(v):.1f}" y="{top + h + 14}" text-anchor="middle">{fmt(v)}</text>')
    for v in ticks(ylo, yhi):
        svg.append(f'<line x1="{left}" y1="{Y(v):.1f}" x2="{left + w}" y2="{Y(v):.1f}" stroke="#e4e4e4"/>'
                   f'<text x="{left - 5}" y="{Y(v) + 4:.1f}" text-anchor="end">{fmt(v)}</text>')
    svg.append(f'<text x="{left + w / 2}" y="{top + h + 32}" text-anchor="middle">{xlabel}</text>')
    svg.append(f'<text transform="translate(16,{top + h / 2}) rotate(-90)" text-anchor="middle">{ylabel}</text>')
    for label, color, line in refs:
        d = " ".join(f"{X(x):.1f},{Y(y):.1f}" for x, y in line)
        svg.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="1" '
                   f'stroke-dasharray="6,4" clip-path="url(#plot)"/>')
    for label, color, dash, data in series:
        data = sorted(p for p in data if p[1] > 0)
        d = " ".join(f"{X(x):.1f},{Y(y):.1f}" for x, y in data)
        da = f' stroke-dasharray="{dash}"' if dash else ""
        svg.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="1.8"{da}/>')
        for x, y in data:
            svg.append(f'<circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="2.5" fill="{color}">'
                       f'<title>{label}: {fmt(x)} → {y:.4g}</title></circle>')
    y0 = top + h + 50
    for i, (label, color, dash, _) in enumerate(series):
        da = f' stroke-dasharray="{dash}"' if dash else ""
        svg.append(f'<line x1="{left}" y1="{y0 + 18 * i - 4}" x2="{left + 24}" y2="{y0 + 18 * i - 4}" '
                   f'stroke="{color}" stroke-width="1.8"{da}/><text x="{left + 30}" y="{y0 + 18 * i}">{label}</text>')
    for j, (label, color, _) in enumerate(refs):
        yy = y0 + 18 * (len(series) + j)
        svg.append(f'<line x1="{left}" y1="{yy - 4}" x2="{left + 24}" y2="{yy - 4}" stroke="{color}" '
                   f'stroke-dasharray="6,4"/><text x="{left + 30}" y="{yy}">{label}</text>')
    if note:
        svg.append(f'<text x="{left}" y="{height - 6}" fill="#555">{note}</text>')
    svg.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(svg) + "\n")
    return True


def slope1(data, xlo, xhi):
    """A line of slope 1 (cost ∝ x) through the middle point of data, across [xlo, xhi]."""
    data = sorted(p for p in data if p[1] > 0)
    if not data:
        return []
    xm, ym = data[len(data) // 2]
    return [(xlo, ym * xlo / xm), (xhi, ym * xhi / xm)]


def env_note(rows):
    envs = [r for r in rows if r.get("kind") == "env"]
    if not envs:
        return ""
    e = envs[0]
    return f"JDK {e.get('jdk', '?')}, kernels {e.get('kernels', '?')}, {e.get('threads', 1)} thread(s)"


# ------------------------------------------------------------------ the three figures


def time_vs_t(rows, img):
    by = {}
    for r in rows:
        if r.get("kind") in ("train", "inference"):
            t, b, i, h = shape(r["shape"])
            by.setdefault(r["kind"], {})[t] = (r["ms"], r["gflops"], (b, i, h), r["cell"])
    if not by:
        return
    series, refs = [], []
    ts = sorted({t for d in by.values() for t in d})
    for n, (kind, label) in enumerate((("train", "training step (forward + BPTT)"), ("inference", "inference"))):
        if kind in by:
            pts = [(t, by[kind][t][0]) for t in sorted(by[kind])]
            series.append((label, COLORS[n], "", pts))
            refs.append((f"slope 1 through the middle {kind} point", COLORS[n], slope1(pts, ts[0], ts[-1])))
    b, i, h = next(iter(next(iter(by.values())).values()))[2]
    cell = next(iter(next(iter(by.values())).values()))[3]
    if loglog(os.path.join(img, "scaling-time-vs-T.svg"),
              f"{cell}, B = {b}, I = {i}, H = {h}: time per call against sequence length T",
              "T (steps)", "ms per call", series, refs, env_note(rows)):
        print(f"wrote {img}/scaling-time-vs-T.svg", file=sys.stderr)
    print(f"#### Time against T ({cell}, B = {b}, I = {i}, H = {h})\n")
    print("| T | training ms | training µs per step | training GFLOP/s | inference ms | inference µs per step"
          " | inference GFLOP/s |")
    print("|---|---|---|---|---|---|---|")
    for t in ts:
        cells = []
        for kind in ("train", "inference"):
            v = by.get(kind, {}).get(t)
            cells += [f"{v[0]:.2f}", f"{1e3 * v[0] / t:.1f}", f"{v[1]:.1f}"] if v else ["—"] * 3
        print(f"| {t} | " + " | ".join(cells) + " |")
    print()


def time_vs_bh2(rows, img):
    by = {}
    for r in rows:
        if r.get("kind") in ("train", "inference"):
            t, b, i, h = shape(r["shape"])
            by[(r["kind"], b, h)] = (r["ms"], r["gflops"], t, i, r["cell"])
    if not by:
        return
    bs = sorted({k[1] for k in by})
    hs = sorted({k[2] for k in by})
    series = []
    for n, b in enumerate(bs):
        for kind, dash in (("train", ""), ("inference", "2,3")):
            pts = [(b * h * h, by[(kind, b, h)][0]) for h in hs if (kind, b, h) in by]
            if pts:
                series.append((f"B = {b}, {'training step' if kind == 'train' else 'inference'}",
                               COLORS[n % len(COLORS)], dash, pts))
    train = [(k[1] * k[2] ** 2, v[0]) for k, v in by.items() if k[0] == "train"]
    xs = [p[0] for s in series for p in s[3]]
    lo, hi = 10 ** math.floor(math.log10(min(xs))), 10 ** math.ceil(math.log10(max(xs)))
    refs = [("slope 1 through the middle training point", "#333", slope1(train, lo, hi))] if train else []
    t, i, cell = next(iter(by.values()))[2:]
    if loglog(os.path.join(img, "scaling-time-vs-BH2.svg"),
              f"{cell}, T = {t}, I = H: time per call against B·H² (H = {', '.join(map(str, hs))})",
              "B·H²", "ms per call", series, refs, env_note(rows)):
        print(f"wrote {img}/scaling-time-vs-BH2.svg", file=sys.stderr)
    print(f"#### Time against B·H² ({cell}, T = {t}, I = H)\n")
    print("| B | H | B·H² | training ms | training GFLOP/s | inference ms | inference GFLOP/s |")
    print("|---|---|---|---|---|---|---|")
    for b in bs:
        for h in hs:
            tr, inf = by.get(("train", b, h)), by.get(("inference", b, h))
            if tr or inf:
                cells = [f"{v[0]:.2f} | {v[1]:.1f}" if v else "— | —" for v in (tr, inf)]
                print(f"| {b} | {h} | {b * h * h:,} | {cells[0]} | {cells[1]} |")
    print()


def memory_vs_t(rows, img):
    pts = {}
    for r in rows:
        if r.get("kind") == "memory" and "error" not in r:
            pts.setdefault(r["mode"], {})[r["T"]] = r
    failed = [r for r in rows if r.get("kind") == "memory" and "error" in r]
    if not pts:
        return
    MB = 1e6
    bptt, tbptt = pts.get("bptt", {}), pts.get("tbptt", {})
    series = []
    if bptt:
        series += [
            ("BPTT: heap measured (engine's share)", COLORS[0], "", [(t, r["heap_bytes"] / MB) for t, r in bptt.items()]),
            ("BPTT: workspace accounting (RnnWorkspace.bytes())", COLORS[5], "2,3",
             [(t, r["workspace_bytes"] / MB) for t, r in bptt.items()]),
            ("BPTT: needed by backward (gates and states, formula)", COLORS[2], "",
             [(t, r["needed_bytes"] / MB) for t, r in bptt.items()]),
            ("BPTT: VmHWM of the process (JVM, caller's arrays included)", COLORS[7], "1,3",
             [(t, r["vm_hwm_bytes"] / MB) for t, r in bptt.items()]),
        ]
    if tbptt:
        k = next(iter(tbptt.values()))["window"]
        series += [(f"TBPTT, window k = {k}: heap measured (engine's share)", COLORS[1], "",
                    [(t, r["heap_bytes"] / MB) for t, r in tbptt.items()]),
                   (f"TBPTT, window k = {k}: VmHWM of the process", COLORS[3], "1,3",
                    [(t, r["vm_hwm_bytes"] / MB) for t, r in tbptt.items()])]
    any_r = next(iter(next(iter(pts.values())).values()))
    ts = sorted({t for d in pts.values() for t in d})
    refs = []
    if bptt:
        refs.append(("slope 1 through the middle BPTT point", COLORS[0],
                     slope1([(t, r["heap_bytes"] / MB) for t, r in bptt.items()], ts[0], ts[-1])))
    envs = [r for r in rows if r.get("kind") == "env"]
    note = f"JDK {envs[0]['jdk']}, {envs[0]['gc']}" if envs else ""
    if loglog(os.path.join(img, "scaling-memory-vs-T.svg"),
              f"{any_r['cell']}, B = {any_r['B']}, I = {any_r['I']}, H = {any_r['H']}: memory of a BPTT step"
              f" or a TBPTT run against T", "T (steps)", "MB", series, refs, note):
        print(f"wrote {img}/scaling-memory-vs-T.svg", file=sys.stderr)
    print(f"#### Memory against T ({any_r['cell']}, B = {any_r['B']}, I = {any_r['I']}, H = {any_r['H']})\n")
    print("| T | BPTT heap MB | BPTT workspace MB | needed MB | heap / needed | BPTT VmHWM MB | TBPTT heap MB"
          " | TBPTT VmHWM MB | caller's arrays MB (BPTT) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for t in ts:
        a, b = bptt.get(t), tbptt.get(t)
        cells = [num(a['heap_bytes'] / MB), num(a['workspace_bytes'] / MB), num(a['needed_bytes'] / MB),
                 f"{a['heap_bytes'] / a['needed_bytes']:.2f}", num(a['vm_hwm_bytes'] / MB)] if a else ["—"] * 5
        cells += [num(b['heap_bytes'] / MB), num(b['vm_hwm_bytes'] / MB)] if b else ["—"] * 2
        cells += [num(a['caller_bytes'] / MB)] if a else ["—"]
        print(f"| {t} | " + " | ".join(cells) + " |")
    print()
    if len(bptt) >= 2:
        # least-squares growth per step: the slope of bytes against T over the BPTT points
        for key, what in (("heap_bytes", "heap measured"), ("workspace_bytes", "workspace accounting"),
                          ("needed_bytes", "needed by backward")):
            xs = sorted(bptt)
            ys = [bptt[t][key] for t in xs]
            mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
            slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
            print(f"- BPTT {what}: {slope / 1e3:.1f} KB per step (least squares over T = {xs[0]}…{xs[-1]})")
        t = max(bptt)
        print(f"\nPer buffer at T = {t} (RnnWorkspace.bytesByBuffer(); per step = bytes / T):\n")
        print("| buffer | MB | KB per step |")
        print("|---|---|---|")
        for name, v in sorted(bptt[t]["buffers"].items(), key=lambda kv: -kv[1]):
            print(f"| `{name}` | {num(v / MB)} | {num(v / t / 1e3)} |")
        print()
    for r in failed:
        print(f"- {r['mode']} at T = {r['T']}: {r['error']} (max heap {r.get('max_heap_bytes', 0) / 1e9:.1f} GB)")


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    out = sys.argv[1]
    img = sys.argv[2] if len(sys.argv) == 3 else "docs/img"
    os.makedirs(img, exist_ok=True)
    time_vs_t(read(os.path.join(out, "time-vs-T.jsonl")), img)
    time_vs_bh2(read(os.path.join(out, "time-vs-BH2.jsonl")), img)
    memory_vs_t(read(os.path.join(out, "memory.jsonl")), img)


if __name__ == "__main__":
    main()
