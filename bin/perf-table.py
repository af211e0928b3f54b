#!/usr/bin/env python3
"""Turns bin/perf's raw results (one JSON document per bench run) into a Markdown table of
min / median / max per figure. Usage: perf-table.py RESULTS.jsonl RUNS"""
import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
runs = sys.argv[2]


def spread(values, fmt):
    if not values:
        return "-"
    values = sorted(values)
    return "{} / **{}** / {}".format(fmt(values[0]), fmt(statistics.median(values)),
                                     fmt(values[-1]))


def op(row, name, field):
    o = row.get("operations", {}).get(name)
    return None if o is None else o[field]


by_name = {}
for r in rows:
    by_name.setdefault(r["name"], []).append(r)

print("| scenario | runs | claims/s | claim p50 ms | claim p99 ms | complete p99 ms "
      "| exactly once |")
print("|---|---|---|---|---|---|---|")
for name, rs in by_name.items():
    if name == "failover":
        continue
    print("| {} | {} | {} | {} | {} | {} | {} |".format(
        name, len(rs),
        spread([r["claimsPerSecond"] for r in rs], lambda v: "{:,.0f}".format(v)),
        spread([op(r, "claim", "p50Ms") for r in rs if op(r, "claim", "p50Ms") is not None],
               lambda v: "{:.2f}".format(v)),
        spread([op(r, "claim", "p99Ms") for r in rs if op(r, "claim", "p99Ms") is not None],
               lambda v: "{:.1f}".format(v)),
        spread([op(r, "complete", "p99Ms") for r in rs
                if op(r, "complete", "p99Ms") is not None], lambda v: "{:.1f}".format(v)),
        "yes" if all(r["everyTaskClaimedExactlyOnce"] for r in rs) else "**NO**"))

fails = by_name.get("failover", [])
if fails:
    print()
    print("| leader killed under drain (20,000 tasks, 32 workers) | runs | kill → first claim ms "
          "| longest pause ms | claim errors | exactly once |")
    print("|---|---|---|---|---|---|")
    print("| kill -9 of the leader | {} | {} | {} | {} | {} |".format(
        len(fails),
        spread([r["longestPauseEndEpochMs"] - r["killAtEpochMs"] for r in fails],
               lambda v: "{:,.0f}".format(v)),
        spread([r["longestPauseMs"] for r in fails], lambda v: "{:,.0f}".format(v)),
        spread([op(r, "claim", "errors") or 0 for r in fails], lambda v: "{:.0f}".format(v)),
        "yes" if all(r["everyTaskClaimedExactlyOnce"] for r in fails) else "**NO**"))
print()
print("min / **median** / max over {} runs each.".format(runs))
