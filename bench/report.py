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
                  "met": worst[2] <= 256 if top_n >= 16 else None})  # None: N=16 was not run
    return t


def ssh_cost(results, s):
    """Sessions and round trips per cycle as measured, the cost of a session and of a round trip, and unbatched."""
    cycles = [c for c in results["cycles"] if c.get("mode") == "daemon" and c.get("calls")]
    local_per_inst = {}
    for c in cycles:
        if c["variant"] == "local":
            for step, _, ms, k in c["calls"]:
                local_per_inst.setdefault(step, []).append(ms / max(k, 1))
    local_per_inst = {step: med(v) for step, v in local_per_inst.items()}
    remote = [c for c in cycles if c["variant"] != "local"]
    client = results.get("ssh", {}).get("openssh_client") or []
    out = {"openssh_client_fresh_login_s": med([x["fresh_login_s"] for x in client]),
           "openssh_client_multiplexed_round_trip_s": med([x["multiplexed_round_trip_s"] for x in client])}
    if not remote:
        out.update({"measured": False, "session_s": FACTS_SSH_SESSION_S, "round_trip_s": FACTS_SSH_ROUND_TRIP_S,
                    "source": "FACTS.md (not measured in this run)"})
        return out
    # What a remote call costs beyond the same script run locally, per step: the probe opens each host's session.
    extra = {}
    for c in remote:
        for step, _, ms, k in c["calls"]:
            if step in local_per_inst:
                extra.setdefault(step, []).append((ms - k * local_per_inst[step]) / 1000)
    round_trip = med(extra.get("prepare", []))
    session = med(extra.get("probe", [])) - round_trip if extra.get("probe") and round_trip is not None else None
    out.update({"measured": True, "source": "this run (the daemon's per-call timings, remote minus local)",
                "sessions_per_cycle": med([c.get("ssh_sessions") for c in remote]),
                "round_trips_per_cycle": med([c.get("round_trips") for c in remote]),
                "session_s": r3(session), "round_trip_s": r3(round_trip),
                "extra_per_call_s": {k: r3(med(v)) for k, v in extra.items()}})
    unbatched = []
    for (variant, wal, n), cs in groups(results["cycles"], "daemon").items():
        if variant == "local" or wal != "tiny":
            continue
        hosts = med([c.get("ssh_sessions") for c in cs])
        parallel = 8
        # One session per instance and one call per instance and step, worked in waves of max_parallel_hosts.
        added = ((math.ceil(n / parallel) - math.ceil(hosts / parallel)) * (session + 4 * round_trip)
                 if session is not None else None)
        unbatched.append({"variant": variant, "n": n, "sessions": hosts, "round_trips": med([c.get("round_trips") for c in cs]),
                          "unbatched_sessions": n, "unbatched_round_trips": 4 * n,
                          "added_connection_work_s": r3((n - hosts) * (session + 4 * round_trip)) if session is not None else None,
                          "added_wall_s_at_8_parallel": r3(added)})
    out["unbatched"] = unbatched
    cpu = {}
    for f in results["footprint"]:
        if f.get("cpu_per_later_cycle_s") is not None:
            cpu.setdefault(f["n"], {})[f["variant"]] = (f["cpu_per_later_cycle_s"], f["first_cycle"].get("ssh_sessions"))
    per_session = [(v[r][0] - v["local"][0]) / v[r][1] for v in cpu.values() if "local" in v
                   for r in v if r != "local" and v[r][1]]
    out["client_cpu_per_session_s"] = r3(med(per_session))
    return out


def estimate(results, s):
    """Paper estimate for 1,000 segments + coordinator on 125 hosts (8 each), from this run's measured costs.

    Per host and step: one call (a session opened by the first), whose script does its instances' work one after
    the other; hosts are worked in waves of ssh.max_parallel_hosts. In the JVM: the per-instance work of target
    selection and WAL preflight (archive listings). The last wave's instances start when the start step ends and
    then take the floor; the await calls then report in waves.
    """
    local = [c for c in results["cycles"] if c.get("mode") == "daemon" and c["variant"] == "local"
             and c.get("cycle_s") is not None and c["wal"] == "tiny"]
    if len({c["n"] for c in local}) < 2:
        return None
    per_inst = {}
    for c in local:
        for step, _, ms, k in c.get("calls", []):
            per_inst.setdefault(step, []).append(ms / 1000 / max(k, 1))
    per_inst = {step: med(v) for step, v in per_inst.items()}
    jvm = {}
    for st in ("select", "wal_preflight"):
        f = fit([(c["n"], c.get("step_ms", {}).get(st)) for c in local])
        jvm[st] = (max(0.0, f[0]) / 1000, max(0.0, f[1]) / 1000) if f else (0.0, 0.0)
    after = fit([(c["n"], c["after_last_exit_s"]) for c in local])
    after = (max(0.0, after[0]), max(0.0, after[1])) if after else (0.1, 0.01)
    floors = {}
    for c in results["cycles"]:
        if c.get("mode") == "daemon" and c["variant"] == "local" and c.get("floor_s") is not None:
            floors.setdefault((c["wal"], c["n"]), []).append(c["floor_s"])
    ssh = s["ssh"]
    session = ssh["session_s"] if ssh.get("session_s") is not None else FACTS_SSH_SESSION_S
    rt = ssh["round_trip_s"] if ssh.get("round_trip_s") is not None else FACTS_SSH_ROUND_TRIP_S
    n_inst, hosts, per_host = 1001, 125, 8
    out = {"inputs": {"per_instance_script_s": {k: r3(v) for k, v in per_inst.items()},
                      "jvm_per_instance_ms": {k: r3(v[1] * 1000) for k, v in jvm.items()},
                      "after_last_exit_s": {"fixed": r3(after[0]), "per_instance": r3(after[1])},
                      "ssh_session_s": r3(session), "ssh_round_trip_s": r3(rt), "ssh_source": ssh["source"],
                      "client_cpu_per_session_s": ssh.get("client_cpu_per_session_s")},
           "controller_cpu_s_per_cycle": r3(hosts * ssh["client_cpu_per_session_s"])
           if ssh.get("client_cpu_per_session_s") is not None else None,
           "cases": []}
    for (wal, n), fl in sorted(floors.items(), key=lambda kv: (kv[0][0] != "tiny", kv[0][1])):
        if n not in (1, 8):  # one replay per host's cores (N=1), or 8 sharing this machine's 2 cores (N=8)
            continue
        floor = med(fl)
        for parallel in (8, 128):
            waves = math.ceil(hosts / parallel)
            probe = waves * (session + rt + per_host * per_inst.get("probe", 0))
            prepare = waves * (rt + per_host * per_inst.get("prepare", 0))
            start = waves * (rt + per_host * per_inst.get("start", 0))
            in_jvm = sum(a + b * n_inst for a, b in jvm.values())
            report = waves * (rt + per_host * after[1]) + after[0]
            total = probe + in_jvm + prepare + start + floor + report
            out["cases"].append({"ssh.max_parallel_hosts": parallel, "wal": wal,
                                 "floor_from": f"N={n} local (each host replays {'1' if n == 1 else str(n)} at once)",
                                 "waves": waves, "probe_s": r3(probe), "select_preflight_s": r3(in_jvm),
                                 "prepare_s": r3(prepare), "start_s": r3(start), "floor_s": r3(floor),
                                 "report_commit_s": r3(report), "cycle_s": r3(total), "ratio": r3(total / floor),
                                 "target_s": r3(1.2 * floor + 0.5), "sessions": hosts, "round_trips": 4 * hosts,
                                 "unbatched_sessions": n_inst, "unbatched_round_trips": 4 * n_inst,
                                 "unbatched_added_s": r3((math.ceil(n_inst / parallel) - waves) * (session + 4 * rt))})
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
    if a.get("note"):
        out += ["", a["note"]]
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
        out += ["", "## 2. Publish (`primary run --once`: wall from the shell; READY latency from the manifest, its file and"
                " the archive)", "",
                table(["variant", "WAL", "N", "runs", "`primary run --once` wall s", "created -> last WAL archived s",
                       "last archived -> READY s", "worst", "created -> READY s", "READY -> daemon cycle start s"],
                      [[r["variant"], r["wal"], r["n"], r["runs"], r["wall_s"], r["created_to_last_archived_s"],
                        r["last_archived_to_ready_s"], r["worst_last_archived_to_ready_s"], r["created_to_ready_s"],
                        pick.get((r["variant"], r["wal"], r["n"]))] for r in s["publish"]])]
    ssh = s["ssh"]
    out += ["", "## 3. SSH cost", ""]
    if ssh["measured"]:
        out += [f"Measured in the daemon: {fmt(ssh['sessions_per_cycle'])} SSH sessions and "
                f"{fmt(ssh['round_trips_per_cycle'])} host round trips per cycle (one session per host, one call per "
                f"host and step). Opening a session costs ~{fmt(ssh['session_s'])} s and a call on an open one "
                f"~{fmt(ssh['round_trip_s'])} s more than the same script run locally (remote call time minus the "
                f"local per-instance time of that step; per step: {ssh['extra_per_call_s']}). The OpenSSH client on "
                f"the same hosts: fresh login {fmt(ssh['openssh_client_fresh_login_s'])} s, round trip over a "
                f"multiplexed connection {fmt(ssh['openssh_client_multiplexed_round_trip_s'])} s. Each session costs the "
                f"daemon ~{fmt(ssh.get('client_cpu_per_session_s'))} CPU-seconds (its CPU per cycle over SSH minus "
                f"local, per session; the key exchange runs in Java).", "",
                "Without per-host batching (an estimate: the tool has no unbatched mode; it would take one session per "
                "instance and one call per instance and step):", "",
                table(["variant", "N", "sessions", "round trips", "unbatched sessions", "unbatched round trips",
                       "added connection work s", "added wall s (8 hosts in parallel)"],
                      [[u["variant"], u["n"], u["sessions"], u["round_trips"], u["unbatched_sessions"],
                        u["unbatched_round_trips"], u["added_connection_work_s"], u["added_wall_s_at_8_parallel"]]
                       for u in ssh["unbatched"]])]
    else:
        out += [f"Not measured in this run (see above); the estimate uses FACTS.md: {ssh['session_s']} s per fresh "
                f"session, {ssh['round_trip_s']} s per round trip on an open one."]
    out += ["", "## 4. Footprint", "",
            table(["variant", "N", "JVM start -> first cycle s", "JVM start -> first commit s", "first cycle s",
                   "first cycle floor s", "peak RSS MB", "cycles run", "failed", "repeated advances", "CPU s",
                   "CPU s per later cycle"],
                  [[f["variant"], f["n"], f.get("jvm_start_to_first_cycle_s"), f.get("jvm_start_to_first_commit_s"),
                    f["first_cycle"].get("cycle_s"), f["first_cycle"].get("floor_s"), f.get("peak_rss_mb"),
                    f.get("cycles_run"), f.get("failed_cycles"), f.get("repeated_advances"), f.get("cpu_s"),
                    f.get("cpu_per_later_cycle_s")] for f in s["footprint"]])]
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
        i = est["inputs"]
        out += ["", "## 5. Paper estimate: 1,000 segments + coordinator on 125 hosts (8 per host)", "",
                "Inputs from this run: per-instance script time on a host (s) " + json.dumps(i["per_instance_script_s"])
                + "; per-instance JVM time (ms) " + json.dumps(i["jvm_per_instance_ms"]) + "; after the last exit "
                f"{i['after_last_exit_s']['fixed']} s + {i['after_last_exit_s']['per_instance']} s per instance; SSH "
                f"session {i['ssh_session_s']} s, call {i['ssh_round_trip_s']} s ({i['ssh_source']}). Hosts are worked "
                "in waves of ssh.max_parallel_hosts (default 8; at most 256).", "",
                table(["max_parallel_hosts", "WAL", "floor from", "waves", "probe s", "select+preflight s", "prepare s",
                       "start s", "floor s", "report+commit s", "cycle s", "ratio", "target s", "sessions",
                       "round trips", "unbatched: +s"],
                      [[c["ssh.max_parallel_hosts"], c["wal"], c["floor_from"], c["waves"], c["probe_s"],
                        c["select_preflight_s"], c["prepare_s"], c["start_s"], c["floor_s"], c["report_commit_s"],
                        c["cycle_s"], c["ratio"], c["target_s"], c["sessions"], c["round_trips"], c["unbatched_added_s"]]
                       for c in est["cases"]])]
        if est.get("controller_cpu_s_per_cycle") is not None:
            out += ["", f"The 125 SSH sessions of a cycle also cost the DR controller's JVM about "
                        f"{fmt(est['controller_cpu_s_per_cycle'])} CPU-seconds (measured "
                        f"{fmt(i['client_cpu_per_session_s'])} s per session), which the waves above assume it has "
                        "cores for."]
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
            fill = "full" if variant == "local" else "none"
            rows = [r for r in s["daemon"] if r["wal"] == wal and r["variant"] == variant]
            if not rows:
                continue
            ns = [r["n"] for r in rows]
            ax.plot(ns, [r["cycle_s"] for r in rows], "o" + style, color="tab:blue", fillstyle=fill,
                    label=f"daemon cycle ({variant})")
            ax.plot(ns, [r["floor_s"] for r in rows], "s" + style, color="tab:green", fillstyle=fill,
                    label=f"floor ({variant})")
            ax.plot(ns, [r["target_s"] for r in rows], ":", color="tab:red", label=f"target 1.2 x floor + 0.5 ({variant})")
            once = [r for r in s["once"] if r["wal"] == wal and r["variant"] == variant]
            if once:
                ax.plot([r["n"] for r in once], [r["once_wall_s"] for r in once], "^" + style, color="tab:orange",
                        fillstyle=fill, label=f"dr run --once wall ({variant})")
        ax.set_title(f"DR consume cycle, {wal} WAL per instance")
        ax.set_xlabel("instances N (coordinator + N-1 segments)")
        ax.set_ylabel("seconds")
        ax.set_ylim(bottom=0)
        ax.set_xticks(sorted({r["n"] for r in s["daemon"]}))
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
