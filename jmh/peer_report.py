"""The rnn4j-against-a-sequence-peer table shared by jmh/torch-report.py and jmh/onednn-report.py.

Both peers write one JSON object per line, {"kind": "seq", cell, T, B, I, H, threads,
mode: "forward"|"train", ms, ms_min, ...} (jmh/peers/torch_rnn_step.py, jmh/peers/onednn_rnn.cpp);
rnn4j's side is RnnBench's JMH JSON. Several files per side (comma-separated) are rounds of one
session: rnn4j's JMH iterations of all rounds are pooled, and the peer's per-round medians. Two
ratios per cell: "med" = the peer's median over rnn4j's median, "best" = the peer's fastest repeat
over rnn4j's fastest iteration (interference on a shared VM only adds time, so the best of each side
is the least disturbed estimate of it). > 1: rnn4j is faster. "2t/1t" is rnn4j's one-thread median
over its two-thread median. Only RnnBench rows of the default executor count as rnn4j's two-thread
figures: split (data-parallel over batch rows), or team (per-step GEMM split) in files from before
split existed; a session's files hold one of the two. Standard library only.
"""
import json
import statistics

ORDER = ["100x32x256x256", "50x64x512x512", "100x1x128x128", "35x20x650x650"]


def read_rnn4j(paths):
    """{(shape, cell, threads, mode): [ms of every JMH iteration]} from RnnBench JSON files."""
    rnn = {}
    for path in paths.split(","):
        for r in json.load(open(path)):
            method = r["benchmark"].rsplit(".", 1)[-1]
            p = r["params"]
            if p.get("impl", "simd") != "simd" or p.get("executor", "team") not in ("team", "split"):
                continue
            scale = {"ms/op": 1, "us/op": 1e-3, "ns/op": 1e-6, "s/op": 1e3}[r["primaryMetric"]["scoreUnit"]]
            raw = [x * scale for fork in r["primaryMetric"]["rawData"] for x in fork]
            mode = {"forward": "forward", "forwardBackward": "train"}.get(method)
            if mode:
                rnn.setdefault((p["shape"], p["cell"], int(p.get("threads", "1")), mode), []).extend(raw)
    return rnn


def read_peer(paths):
    """({(shape, cell, threads, mode): [(ms, ms_min) per round]}, [header objects]) from JSON lines."""
    peer, headers = {}, []
    for path in paths.split(","):
        for line in open(path):
            r = json.loads(line)
            if r.get("kind") == "seq":
                shape = f"{r['T']}x{r['B']}x{r['I']}x{r['H']}"
                peer.setdefault((shape, r["cell"], r["threads"], r["mode"]), []).append(
                    (r["ms"], r.get("ms_min", r["ms"])))
            elif r.get("kind") == "header":
                headers.append(r)
    return peer, headers


def print_table(rnn, peer, label):
    """The markdown table: per shape, cell and mode, both sides' medians and the two speed-ups, 1 and 2 threads."""

    def rnn_times(key):
        raw = rnn.get(key)
        return (statistics.median(raw), min(raw)) if raw else None

    def peer_times(key):
        rs = peer.get(key)
        return (statistics.median([m for m, _ in rs]), min(b for _, b in rs)) if rs else None

    print(f"| (T,B,I,H) | cell | mode | rnn4j 1t ms | {label} 1t ms | speed-up 1t med | best | rnn4j 2t ms "
          f"| {label} 2t ms | speed-up 2t med | best | rnn4j 2t/1t |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for shape in ORDER:
        for cell in ("lstm", "gru", "rnn_tanh"):
            for mode in ("train", "forward"):
                r1, r2 = rnn_times((shape, cell, 1, mode)), rnn_times((shape, cell, 2, mode))
                t1, t2 = peer_times((shape, cell, 1, mode)), peer_times((shape, cell, 2, mode))
                if r1 is None:
                    continue
                f = lambda x: "–" if x is None else f"{x[0]:.2f}"
                q = lambda a, b, i: "–" if a is None or b is None else f"{a[i] / b[i]:.2f}"
                print(f"| ({shape.replace('x', ',')}) | {cell} | {mode} | {f(r1)} | {f(t1)} | {q(t1, r1, 0)} | {q(t1, r1, 1)} "
                      f"| {f(r2)} | {f(t2)} | {q(t2, r2, 0)} | {q(t2, r2, 1)} | {q(r1, r2, 0)} |")
