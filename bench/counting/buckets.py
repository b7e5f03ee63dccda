#!/usr/bin/env python3
"""Issue 29: where the server's CPU goes under Q2 with and without taskCounts.

Reads `perf script -F comm,tid,ip,sym` output (DWARF call graphs, inlined
frames kept: bench/counting.sh with CNT_PERF=1 records them), puts each
sample in the first bucket whose frame its stack contains, and turns the
buckets' shares into ms per request with the CPU per request measured in
the same run.

Usage: bench/counting/buckets.py NAME=STACKS.txt=CPU_MS ...
  e.g. Q2=iscript-Q2.txt=5.713 Q2C=iscript-Q2C.txt=11.344
Prints a Markdown table, one column per NAME and the last minus the first.
"""
import sys

BUCKETS = [
    ("taskCounts: TaskCounts object's fields resolved", ["counting::TaskCounts as async_graphql"]),
    ("taskCounts: the resolver and its load_one (per parent)", ["counting::task_counts"]),
    ("taskCounts: the loader's batch (statements, rows, map)", ["counting::{impl#1}::load", "service::counting"]),
    ("child lists: the loader's batch", ["loaders::{impl#17}::load"]),
    ("child lists: load_one / load_many path", ["DataLoader<", "DataLoaderInner"]),
    ("response serialization", ["serialize", "serde_json"]),
    ("other GraphQL execution", ["async_graphql", "agentgraph::graphql", "agentgraph::engine"]),
    ("sqlx / database I/O", ["sqlx"]),
    ("HTTP, runtime, kernel, rest", [""]),
]


def shares(path, cpu):
    stacks = [s for s in open(path).read().split("\n\n") if s.strip()]
    counts = dict.fromkeys((b for b, _ in BUCKETS), 0)
    for stack in stacks:
        for name, keys in BUCKETS:
            if any(k in stack for k in keys):
                counts[name] += 1
                break
    return len(stacks), {k: v / len(stacks) * cpu for k, v in counts.items()}


runs = []
for arg in sys.argv[1:]:
    name, path, cpu = arg.split("=")
    runs.append((name, float(cpu), *shares(path, float(cpu))))
if not runs:
    sys.exit(__doc__)
first, last = runs[0], runs[-1]
print("| server CPU ms per request | " + " | ".join(r[0] for r in runs) + f" | {last[0]} − {first[0]} |")
print("|---" * (len(runs) + 2) + "|")
for name, _ in BUCKETS:
    cells = " | ".join(f"{r[3][name]:.2f}" for r in runs)
    print(f"| {name} | {cells} | {last[3][name] - first[3][name]:+.2f} |")
print("| all (samples: " + ", ".join(str(r[2]) for r in runs) + ") | "
      + " | ".join(f"{r[1]:.2f}" for r in runs) + f" | {last[1] - first[1]:+.2f} |")
