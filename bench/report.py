"""Summaries, targets, the 1,000-segment estimate, and the three result files of a bench run.

Usable on its own to re-render an earlier run: python3 bench/report.py bench/results/results.json
"""
import json
import math
import os
import statistics
import sys

# FACTS.md, "Physical floor of one DR cycle": used only when the run did not measure SSH itself.
FACTS_SSH_SESSION_S = 0.25
FACTS_SSH_ROUND_TRIP_S = 0.011
STEPS = ["read_state", "probe", "select", "wal_preflight", "prepare", "start", "await_and_verify"]


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def r3(v):
    return None if v is None else round(v, 3)


def fit(points):
    """Least-squares a + b*x over (x, y) points; None without two distinct x."""
    points = [(x, y) for x, y in points if y is not None]
    xs = {x for x, _ in points}
    if len(xs) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    b = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return my - b * mx, b


def groups(cycles, mode):
    out = {}
    for c in cycles:
        if c.get("mode") == mode and c.get("cycle_s") is not None:
            out.setdefault((c["variant"], c["wal"], c["n"]), []).append(c)
    return dict(sorted(out.items(), key=lambda kv: (kv[0][0] != "local", kv[0][0], kv[0][1] != "tiny", kv[0][1], kv[0][2])))


def summarize(results):
    cycles = results["cycles"]
    s = {"daemon": [], "once": [], "failures": [c for c in cycles if c.get("status") != "reached_then_shutdown"]}
    for (variant, wal, n), cs in groups(cycles, "daemon").items():
        row = {"variant": variant, "wal": wal, "n": n, "runs": len(cs)}
        for k in ("cycle_s", "floor_s", "overhead_s", "ratio", "before_first_start_s", "after_last_exit_s",
                  "start_spread_s", "ready_to_cycle_start_s", "replayed_mb_max", "round_trips", "ssh_sessions"):
            row[k] = r3(med([c.get(k) for c in cs]))
        row["target_s"] = r3(1.2 * row["floor_s"] + 0.5)
        row["meets"] = row["cycle_s"] <= row["target_s"]
        row["worst_cycle_minus_target_s"] = r3(max(c["cycle_s"] - (1.2 * c["floor_s"] + 0.5) for c in cs))
        row["step_ms"] = {st: med([c.get("step_ms", {}).get(st) for c in cs]) for st in STEPS}
        s["daemon"].append(row)
    for (variant, wal, n), cs in groups(cycles, "once").items():
        row = {"variant": variant, "wal": wal, "n": n, "runs": len(cs)}
        for k in ("once_wall_s", "floor_s", "cycle_s", "once_wall_minus_floor_s"):
            row[k] = r3(med([c.get(k) for c in cs]))
        row["jvm_and_camel_s"] = r3(row["once_wall_s"] - row["cycle_s"])
        row["meets"] = row["once_wall_minus_floor_s"] <= 2.0
        s["once"].append(row)
    pubs = {}
    for p in results["publish"]:
        pubs.setdefault((p["variant"], p["wal"], p["n"]), []).append(p)
    s["publish"] = []
    for (variant, wal, n), ps in sorted(pubs.items(), key=lambda kv: (kv[0][0] != "local", kv[0][1] != "tiny", kv[0][2])):
        row = {"variant": variant, "wal": wal, "n": n, "runs": len(ps)}
        for k in ("created_to_last_archived_s", "last_archived_to_ready_s", "created_to_ready_s", "wall_s"):
            row[k] = r3(med([p.get(k) for p in ps]))
        row["worst_last_archived_to_ready_s"] = r3(max(p["last_archived_to_ready_s"] for p in ps))
        s["publish"].append(row)
    s["footprint"] = results["footprint"]
    s["targets"] = targets(s)
    s["ssh"] = ssh_cost(results, s)
    s["estimate_1000"] = estimate(results, s)
    return s


def targets(s):
    t = []
    for variant in sorted({r["variant"] for r in s["daemon"]}):
        rows = [r for r in s["daemon"] if r["variant"] == variant]
        worst = max(rows, key=lambda r: r["cycle_s"] - r["target_s"])
        t.append({"target": f"daemon consume cycle <= 1.2 x floor + 0.5 s at every N ({variant})",
                  "measured": f"worst: N={worst['n']} {worst['wal']}: {worst['cycle_s']} s vs {worst['target_s']} s "
                              f"(floor {worst['floor_s']} s); {sum(r['meets'] for r in rows)}/{len(rows)} groups meet it",
                  "met": all(r["meets"] for r in rows)})
    if s["once"]:
        worst = max(s["once"], key=lambda r: r["once_wall_minus_floor_s"])
        t.append({"target": "dr run --once from the shell <= floor + 2 s",
                  "measured": f"worst: N={worst['n']} ({worst['variant']}): {worst['once_wall_s']} s wall, floor "
                              f"{worst['floor_s']} s, +{worst['once_wall_minus_floor_s']} s",
                  "met": all(r["meets"] for r in s["once"])})
    starts = [(f["n"], f["variant"], f.get("jvm_start_to_first_cycle_s")) for f in s["footprint"]
              if f.get("jvm_start_to_first_cycle_s") is not None]
    if starts:
        worst = max(starts, key=lambda x: x[2])
        t.append({"target": "JVM start to first cycle <= 1.5 s",
                  "measured": f"median {r3(med([x[2] for x in starts]))} s, worst {worst[2]} s (N={worst[0]}, {worst[1]})",
                  "met": worst[2] <= 1.5})
    if s["publish"]:
        worst = max(s["publish"], key=lambda r: r["worst_last_archived_to_ready_s"])
        t.append({"target": "publish READY <= 1 s after the last needed WAL file is archived",
                  "measured": f"median {r3(med([r['last_archived_to_ready_s'] for r in s['publish']]))} s, worst "
                              f"{worst['worst_last_archived_to_ready_s']} s (N={worst['n']}, {worst['wal']})",
                  "met": worst["worst_last_archived_to_ready_s"] <= 1.0})
    for variant in sorted({r["variant"] for r in s["daemon"]}):
        for wal in sorted({r["wal"] for r in s["daemon"] if r["variant"] == variant}):
            by_n = {r["n"]: r for r in s["daemon"] if r["variant"] == variant and r["wal"] == wal}
            lo, hi = min(by_n), max(by_n)
            if lo != hi:
                ratio = by_n[hi]["cycle_s"] / by_n[lo]["cycle_s"]
                t.append({"target": f"cycle at N={hi} within 1.5 x of N={lo} ({variant}, {wal} WAL)",
                          "measured": f"{by_n[hi]['cycle_s']} s / {by_n[lo]['cycle_s']} s = {ratio:.2f} x "
                                      f"(floor {by_n[hi]['floor_s']} s / {by_n[lo]['floor_s']} s = "
                                      f"{by_n[hi]['floor_s'] / by_n[lo]['floor_s']:.2f} x)",
                          "met": ratio <= 1.5})
    rss = [(f["n"], f["variant"], f.get("peak_rss_mb")) for f in s["footprint"] if f.get("peak_rss_mb")]
    if rss:
        top_n = max(n for n, _, _ in rss)
        worst = max((x for x in rss if x[0] == top_n), key=lambda x: x[2])
        t.append({"target": "daemon peak RSS <= 256 MB at 16 instances",
                  "measured": f"{worst[2]} MB at N={top_n} ({worst[1]}); all runs: {min(x[2] for x in rss)}-"
                              f"{max(x[2] for x in rss)} MB",
                  "met": worst[2] <= 256 and top_n >= 16})
    return t


def ssh_cost(results, s):
    """Sessions and round trips per cycle as measured, and per-session / per-round-trip cost."""
    rows = [c for c in results["cycles"] if c.get("mode") == "daemon" and c["variant"] != "local" and c.get("cycle_s")]
    if not rows:
        return {"measured": False, "session_s": FACTS_SSH_SESSION_S, "round_trip_s": FACTS_SSH_ROUND_TRIP_S,
                "source": "FACTS.md (not measured in this run)"}
    first, later = [], []
    for c in rows:
        ms = c.get("round_trip_ms", {})
        first += ms.get("probe", [])  # the first call on each host opens its session
        for step in ("prepare", "start"):
            later += ms.get(step, [])
    local = [c for c in results["cycles"] if c.get("mode") == "daemon" and c["variant"] == "local" and c.get("cycle_s")]
    local_probe = med([v for c in local for v in c.get("round_trip_ms", {}).get("probe", [])])
    local_later = med([v for c in local for step in ("prepare", "start") for v in c.get("round_trip_ms", {}).get(step, [])])
    sess = (med(first) - (local_probe or 0)) / 1000 if first else None
    rt = (med(later) - (local_later or 0)) / 1000 if later else None
    return {"measured": True, "source": "this run (DEBUG host-call timings of the daemon)",
            "sessions_per_cycle": med([c.get("ssh_sessions") for c in rows]),
            "round_trips_per_cycle": med([c.get("round_trips") for c in rows]),
            "session_s": r3(sess), "round_trip_s": r3(rt)}


def estimate(results, s):
    """Paper estimate for 1,000 segments (+ coordinator) on 125 hosts, from this run's fitted costs."""
    local = [c for c in results["cycles"] if c.get("mode") == "daemon" and c["variant"] == "local"
             and c.get("cycle_s") is not None and c["wal"] == "tiny"]
    if len({c["n"] for c in local}) < 2:
        return None
    per_step = {}
    for st in STEPS:
        f = fit([(c["n"], c.get("step_ms", {}).get(st)) for c in local])
        per_step[st] = {"fixed_ms": r3(f[0]), "per_instance_ms": r3(f[1])} if f else None
    after = fit([(c["n"], c["after_last_exit_s"] * 1000) for c in local])
    floor1 = med([c["floor_s"] for c in local if c["n"] == min(x["n"] for x in local)])
    big = [c for c in results["cycles"] if c.get("mode") == "daemon" and c["variant"] == "local"
           and c.get("cycle_s") is not None and c["wal"] != "tiny"]
    big_floor1 = med([c["floor_s"] for c in big if c["n"] == min(x["n"] for x in big)]) if big else None
    ssh = s["ssh"]
    n_inst, hosts, per_host = 1001, 125, 8

    def host_ms(st):  # script time on one host with `per_host` instances: pg_ctl, pg_controldata run serially there
        p = per_step.get(st)
        return max(0.0, p["fixed_ms"] + p["per_instance_ms"] * per_host) if p else 0.0

    def jvm_ms(st):  # steps done in the JVM for every instance (manifest checks, archive listings)
        p = per_step.get(st)
        return max(0.0, p["fixed_ms"] + p["per_instance_ms"] * n_inst) if p else 0.0

    out = {"inputs": {"per_step_fit_local_tiny": per_step,
                      "after_last_exit_fit_ms": {"fixed": r3(after[0]), "per_instance": r3(after[1])} if after else None,
                      "ssh_session_s": ssh["session_s"], "ssh_round_trip_s": ssh["round_trip_s"],
                      "ssh_source": ssh["source"], "floor_one_instance_tiny_s": floor1,
                      "floor_one_instance_big_s": big_floor1},
           "cases": []}
    for parallel in (8, 128):
        waves = math.ceil(hosts / parallel)
        rt = ssh["round_trip_s"] or FACTS_SSH_ROUND_TRIP_S
        sess = ssh["session_s"] or FACTS_SSH_SESSION_S
        host_steps = {st: waves * (host_ms(st) / 1000 + rt) for st in ("probe", "prepare", "start")}
        host_steps["probe"] += waves * sess
        jvm = (jvm_ms("select") + jvm_ms("wal_preflight") + jvm_ms("read_state")) / 1000
        report = waves * (rt + per_host * (after[1] / 1000 if after else 0.01)) + (after[0] / 1000 if after else 0)
        for label, floor in (("tiny WAL", floor1), (f"~{results['meta']['args']['wal_mb']} MB WAL", big_floor1)):
            if floor is None:
                continue
            total = sum(host_steps.values()) + jvm + floor + report
            out["cases"].append({"ssh.max_parallel_hosts": parallel, "wal": label, "waves": waves,
                                 "probe_s": r3(host_steps["probe"]), "prepare_s": r3(host_steps["prepare"]),
                                 "start_s": r3(host_steps["start"]), "jvm_per_instance_s": r3(jvm),
                                 "floor_s": r3(floor), "report_verify_commit_s": r3(report), "cycle_s": r3(total),
                                 "ratio": r3(total / floor), "sessions": hosts, "round_trips": 4 * hosts,
                                 "unbatched_sessions": n_inst, "unbatched_round_trips": 4 * n_inst})
    return out


def fmt(v, unit=""):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "**no**"
    if isinstance(v, float):
        return f"{v:.3f}".rstrip("0").rstrip(".") + unit if abs(v) < 100 else f"{v:.0f}{unit}"
    return f"{v}{unit}"


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(fmt(x) for x in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(results, s):
    m = results["meta"]
    a = m["args"]
    out = [f"# whpg-dr-sync bench results ({m['date_utc']}, commit {m['git_commit']})", "",
           f"{m['cpus']} cores, {m['mem_mb']} MB, {m['java']}, {m['postgres']}. Load average at start "
           f"{m['load_avg_start']}, at end {m['load_avg_end']}; the run took {m['total_s']} s.",
           f"Repetitions: {a['reps']} tiny-WAL cycles per N and mode, {a['big_reps']} x ~{a['wal_mb']} MB per "
           f"instance; consumer_sleep_secs = {a['consumer_sleep']}. Launcher: `{m['launcher']}` "
           f"(WHPG_JAVA_OPTS {m['java_opts']}, class-data archive {m.get('cds', 'on')}). Medians unless marked worst."]
    for nm in results.get("not_measured", []):
        out += ["", f"Not measured: {nm}"]
    out += ["", "## Targets", "", table(["target", "measured", "met"],
                                       [[t["target"], t["measured"], t["met"]] for t in s["targets"]])]
    out += ["", "## 1. Consume cycle inside the daemon (timer firing to state committed) against the floor", "",
            "floor = the slowest DR instance's own start-to-exit (its server log); target = 1.2 x floor + 0.5 s.", "",
            table(["variant", "WAL", "N", "runs", "cycle s", "floor s", "overhead s", "ratio", "target s", "meets",
                   "before 1st start s", "start spread s", "after last exit s", "replayed MB/inst", "round trips",
                   "ssh sessions"],
                  [[r["variant"], r["wal"], r["n"], r["runs"], r["cycle_s"], r["floor_s"], r["overhead_s"], r["ratio"],
                    r["target_s"], r["meets"], r["before_first_start_s"], r["start_spread_s"], r["after_last_exit_s"],
                    r["replayed_mb_max"], r["round_trips"], r["ssh_sessions"]] for r in s["daemon"]])]
    out += ["", "Step times inside the cycle (receipt `step_ms`, median ms; await_and_verify holds the floor):", "",
            table(["variant", "WAL", "N"] + STEPS,
                  [[r["variant"], r["wal"], r["n"]] + [r["step_ms"].get(st) for st in STEPS] for r in s["daemon"]])]
    if s["once"]:
        out += ["", "## 1b. `dr run --once` from the shell (adds JVM and Camel start-up)", "",
                table(["variant", "WAL", "N", "runs", "wall s", "cycle s", "JVM+Camel s", "floor s", "wall - floor s",
                       "<= floor + 2 s"],
                      [[r["variant"], r["wal"], r["n"], r["runs"], r["once_wall_s"], r["cycle_s"], r["jvm_and_camel_s"],
                        r["floor_s"], r["once_wall_minus_floor_s"], r["meets"]] for r in s["once"]])]
    if s["publish"]:
        pick = {(d["variant"], d["wal"], d["n"]): d.get("ready_to_cycle_start_s") for d in s["daemon"]}
        out += ["", "## 2. Publish latency (`primary run --once`; times from the manifest, its file and pg_stat_archiver)", "",
                table(["variant", "WAL", "N", "runs", "created -> last WAL archived s", "last archived -> READY s",
                       "worst", "created -> READY s", "READY -> daemon cycle start s"],
                      [[r["variant"], r["wal"], r["n"], r["runs"], r["created_to_last_archived_s"],
                        r["last_archived_to_ready_s"], r["worst_last_archived_to_ready_s"], r["created_to_ready_s"],
                        pick.get((r["variant"], r["wal"], r["n"]))] for r in s["publish"]])]
    ssh = s["ssh"]
    out += ["", "## 3. SSH cost", ""]
    if ssh["measured"]:
        out += [f"Measured: {fmt(ssh['sessions_per_cycle'])} sessions and {fmt(ssh['round_trips_per_cycle'])} round "
                f"trips per cycle; a session costs ~{fmt(ssh['session_s'])} s (first call on a host minus the local "
                f"one), a round trip on an open session ~{fmt(ssh['round_trip_s'])} s."]
    else:
        out += [f"Not measured in this run (see above); the estimate uses FACTS.md: {ssh['session_s']} s per fresh "
                f"session, {ssh['round_trip_s']} s per round trip on an open one."]
    out += ["", "## 4. Footprint", "",
            table(["variant", "N", "JVM start -> first cycle s", "JVM start -> first commit s", "first cycle s",
                   "first cycle floor s", "peak RSS MB", "cycles run", "failed", "repeated advances"],
                  [[f["variant"], f["n"], f.get("jvm_start_to_first_cycle_s"), f.get("jvm_start_to_first_commit_s"),
                    f["first_cycle"].get("cycle_s"), f["first_cycle"].get("floor_s"), f.get("peak_rss_mb"),
                    f.get("cycles_run"), f.get("failed_cycles"), f.get("repeated_advances")] for f in s["footprint"]])]
    st = results.get("startup")
    if st:
        out += ["", f"Start-up with the launcher's class-data archive (CDS) on and off (WHPG_CDS=off), N={st['cds_on']['n']}, "
                "a cycle with nothing to do:", "",
                table(["CDS", "dr run --once wall s", "daemon start -> first cycle done s", "daemon peak RSS MB", "runs"],
                      [[k[4:], v["once_nothing_to_do_wall_s"], v["daemon_start_to_first_cycle_end_s"],
                        v["daemon_peak_rss_mb"], ", ".join(fmt(x) for x in v["once_runs"]) + " / "
                        + ", ".join(fmt(x) for x in v["daemon_runs"])] for k, v in st.items()])]
    est = s["estimate_1000"]
    if est:
        out += ["", "## 5. Paper estimate: 1,000 segments + coordinator on 125 hosts (8 per host)", "",
                f"Per-step costs fitted over N (local, tiny WAL) as fixed + per-instance ms; SSH costs from "
                f"{est['inputs']['ssh_source']}. Host steps run in waves of ssh.max_parallel_hosts hosts.", "",
                table(["max_parallel_hosts", "WAL", "waves", "probe s", "prepare s", "start s", "JVM per-instance s",
                       "floor s", "report+verify+commit s", "cycle s", "ratio", "sessions", "round trips"],
                      [[c["ssh.max_parallel_hosts"], c["wal"], c["waves"], c["probe_s"], c["prepare_s"], c["start_s"],
                        c["jvm_per_instance_s"], c["floor_s"], c["report_verify_commit_s"], c["cycle_s"], c["ratio"],
                        c["sessions"], c["round_trips"]] for c in est["cases"]]), "",
                "Fitted per-step costs (ms): " + ", ".join(
                    f"{st} {v['fixed_ms']} + {v['per_instance_ms']}/inst" for st, v in
                    est["inputs"]["per_step_fit_local_tiny"].items() if v)]
    if s["failures"]:
        out += ["", "## Failed cycles", "", table(["variant", "WAL", "N", "mode", "status", "detail"],
                                                 [[c["variant"], c["wal"], c["n"], c["mode"], c["status"],
                                                   (c.get("detail") or "")[:200]] for c in s["failures"]])]
    return "\n".join(out) + "\n"


def plot(results, s, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib missing (apt-get install -y python3-matplotlib): no cycle.png"
    wals = sorted({r["wal"] for r in s["daemon"]}, key=lambda w: w != "tiny")
    if not wals:
        return "no daemon cycles: no cycle.png"
    fig, axes = plt.subplots(1, len(wals), figsize=(6 * len(wals), 4.5), squeeze=False)
    for ax, wal in zip(axes[0], wals):
        for variant, style in (("local", "-"), *[(v, "--") for v in sorted({r["variant"] for r in s["daemon"]}) if v != "local"]):
            rows = [r for r in s["daemon"] if r["wal"] == wal and r["variant"] == variant]
            if not rows:
                continue
            ns = [r["n"] for r in rows]
            ax.plot(ns, [r["cycle_s"] for r in rows], "o" + style, color="tab:blue", label=f"daemon cycle ({variant})")
            ax.plot(ns, [r["floor_s"] for r in rows], "s" + style, color="tab:green", label=f"floor ({variant})")
            ax.plot(ns, [r["target_s"] for r in rows], ":", color="tab:red", label=f"target 1.2 x floor + 0.5 ({variant})")
            once = [r for r in s["once"] if r["wal"] == wal and r["variant"] == variant]
            if once:
                ax.plot([r["n"] for r in once], [r["once_wall_s"] for r in once], "^" + style, color="tab:orange",
                        label=f"dr run --once wall ({variant})")
        ax.set_title(f"DR consume cycle, {wal} WAL per instance")
        ax.set_xlabel("instances N (coordinator + N-1 segments)")
        ax.set_ylabel("seconds")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return None


def write_all(results, out_dir):
    s = summarize(results)
    results["summary"] = s
    problem = plot(results, s, os.path.join(out_dir, "cycle.png"))
    if problem:
        results.setdefault("not_measured", []).append(problem)
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(markdown(results, s))


if __name__ == "__main__":
    with open(sys.argv[1]) as fh:
        res = json.load(fh)
    res.pop("summary", None)
    write_all(res, os.path.dirname(os.path.abspath(sys.argv[1])))
