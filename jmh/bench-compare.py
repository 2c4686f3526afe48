"""Before/after table of `rnn4j bench --json` runs: median and best of each row over the rounds.

  python3 jmh/bench-compare.py DIR JDK [ROUNDS]

reads DIR/before-jdkJDK-rN.json and DIR/after-jdkJDK-rN.json for N in ROUNDS (a glob character class,
default: every round), one JSON object per line. Ratio = before / after: > 1 means faster after.
Stream rows are keyed by their threads too (files from before the streaming threads count as 1 thread);
the after side's median % of peak (pass rows) or p99 µs per step (stream rows) is shown where its
files carry them.
"""
import collections
import glob
import json
import statistics
import sys

d, jdk = sys.argv[1], sys.argv[2]
rounds = sys.argv[3] if len(sys.argv) > 3 else '*'


def load(side):
    rows = collections.defaultdict(list)
    for f in sorted(glob.glob(f'{d}/{side}-jdk{jdk}-r{rounds}.json')):
        for line in open(f):
            r = json.loads(line)
            if r['kind'] == 'env':
                continue
            key = (r['kind'], r['cell'], r.get('shape', r.get('hidden')), r.get('threads', 1) if r['kind'] == 'stream' else None)
            extra = r.get('peak_fraction') if r['kind'] != 'stream' else r.get('p99_us')
            rows[key].append((r.get('ms', r.get('us')), r.get('alloc_bytes'), extra))
    return rows


b, a = load('before'), load('after')
print(f"| row (JDK {jdk}) | before: median (best) | after: median (best) | after: bytes per op | after: % of peak or p99 "
      "| median ratio | best ratio |")
print("|---|---|---|---|---|---|---|")
for k in b:
    bt = [x[0] for x in b[k]]
    at = [x[0] for x in a[k]]
    unit = 'µs' if k[0] == 'stream' else 'ms'
    name = f"{k[0]} {k[1]} " + (f"H={k[2]} {k[3]} thread(s)" if k[0] == 'stream' else k[2])
    ex = [x[2] for x in a[k] if x[2] is not None]
    extra = "–" if not ex else (f"p99 {statistics.median(ex):.4g} µs" if k[0] == 'stream' else f"{100 * statistics.median(ex):.1f} %")
    print(f"| {name} | {statistics.median(bt):.4g} ({min(bt):.4g}) {unit} | {statistics.median(at):.4g} ({min(at):.4g}) {unit}"
          f" | {max(x[1] for x in a[k]):g} | {extra} | {statistics.median(bt) / statistics.median(at):.2f} | {min(bt) / min(at):.2f} |")
