import json,glob,collections,statistics,sys
j=sys.argv[1]
def load(v):
    d=collections.defaultdict(list)
    for f in sorted(glob.glob(f'jmh/results/2026-12-07-thinrow/{v}-jdk{j}-r[1234].json')):
        for l in open(f):
            r=json.loads(l)
            if r['kind']=='env': continue
            d[(r['kind'],r['cell'],r.get('shape',r.get('hidden')))].append((r.get('ms',r.get('us')), r.get('alloc_bytes')))
    return d
b=load('before'); a=load('after')
print(f"| row (JDK {j}) | before: median (best) | after: median (best) | after: bytes per op | median ratio | best ratio |")
print("|---|---|---|---|---|---|")
for k in b:
    bt=[x[0] for x in b[k]]; at=[x[0] for x in a[k]]
    unit='µs' if k[0]=='stream' else 'ms'
    name = f"{k[0]} {k[1]} " + (f"H={k[2]}" if k[0]=='stream' else k[2])
    print(f"| {name} | {statistics.median(bt):.4g} ({min(bt):.4g}) {unit} | {statistics.median(at):.4g} ({min(at):.4g}) {unit} | {max(x[1] for x in a[k]):g} | {statistics.median(bt)/statistics.median(at):.2f} | {min(bt)/min(at):.2f} |")
