"""Before/after table of `rnn4j bench --json` runs: median and best of each row over the rounds.

  python3 jmh/bench-compare.py DIR JDK [ROUNDS]

reads DIR/before-jdkJDK-rN.json and DIR/after-jdkJDK-rN.json for N in ROUNDS (a glob character class,
default: every round), one JSON object per line. Ratio = before / after: > 1 means faster after.
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
            rows[(r['kind'], r['cell'], r.get('shape', r.get('hidden')))].append((r.get('ms', r.get('us')), r.get('alloc_bytes')))
    return rows


b, a = load('before'), load('after')
print(f"| row (JDK {jdk}) | before: median (best) | after: median (best) | after: bytes per op | median ratio | best ratio |")
print("|---|---|---|---|---|---|")
for k in b:
    bt = [x[0] for x in b[k]]
    at = [x[0] for x in a[k]]
    unit = 'µs' if k[0] == 'stream' else 'ms'
    name = f"{k[0]} {k[1]} " + (f"H={k[2]}" if k[0] == 'stream' else k[2])
    print(f"| {name} | {statistics.median(bt):.4g} ({min(bt):.4g}) {unit} | {statistics.median(at):.4g} ({min(at):.4g}) {unit}"
          f" | {max(x[1] for x in a[k]):g} | {statistics.median(bt) / statistics.median(at):.2f} | {min(bt) / min(at):.2f} |")
