"""The execution samples of a JFR recording's busiest thread (the benchmark thread), each as its
rnn4j frames 'package.Class.method' (without 'org.rnn4j.'), innermost first; JMH's generated frames
are left out. Shared by jfr-top.py and jfr-phases.py."""
import collections
import json
import subprocess


def busiest_thread_samples(rec, stack_depth=64):
    """Returns (thread name, [names per sample]); a sample with no rnn4j frame gives []."""
    raw = subprocess.run(["jfr", "print", "--json", "--stack-depth", str(stack_depth), "--events",
                          "jdk.ExecutionSample", rec], capture_output=True, text=True, check=True).stdout
    events = json.loads(raw)["recording"]["events"]
    by_thread = collections.Counter(e["values"]["sampledThread"]["javaName"] for e in events)
    if not by_thread:
        raise SystemExit(f"{rec}: no execution samples")
    main_thread = by_thread.most_common(1)[0][0]
    samples = []
    for e in events:
        v = e["values"]
        if v["sampledThread"]["javaName"] != main_thread:
            continue
        samples.append([f["method"]["type"]["name"].replace("/", ".").replace("org.rnn4j.", "") + "." + f["method"]["name"]
                        for f in v["stackTrace"]["frames"] if f["method"]["type"]["name"].startswith("org/rnn4j/")
                        and "jmh_generated" not in f["method"]["type"]["name"]])
    return main_thread, samples
