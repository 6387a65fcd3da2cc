#!/usr/bin/env python3
"""Interleaved A/B of two builds on one sandbox: the same tiny-WAL `dr run --once` cycle and idle daemon cycles,
run alternately with each build's own launcher, so both meet the same load. Not part of `mvn verify`.

  python3 bench/ab.py --old /tmp/old-tree --n 16 --reps 5 [--hosts 4] --out bench/results/round2/ab-local16.json
  python3 bench/ab.py --old /tmp/old-tree --n 1 --reps 0 --history 500 --idle-warm 15 --idle-secs 30 --out ...

--history H adds H signed READY manifests older than the newest before the idle phase (bench/ManifestHistory.java:
storage.keep's default history is 500); --idle-warm is how long the daemon runs before its CPU is counted.

--old names a checkout of the other build (its bin/ and target/whpg-dr-sync.jar); "new" is --new or this tree.
The sandbox is built by the new build; both read its config.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


class Launcher(bench.Tool):
    def __init__(self, home):
        super().__init__()
        self.launcher = os.path.join(home, "bin", "whpg_dr_sync")


def idle_daemon_cpu(tool, site, seconds, warm):
    """CPU seconds per idle cycle (nothing new) of a daemon after its first cycle, and the SSH logins it made."""
    proc = subprocess.Popen(tool.argv("dr", "run", "--config", site.config), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(warm)  # start-up, the first (idle) cycle and, the longer, the JIT's first compiling
    t0, c0 = time.time(), cpu(proc.pid)
    time.sleep(seconds)
    t1, c1 = time.time(), cpu(proc.pid)
    proc.terminate()
    err = proc.communicate(timeout=60)[1]
    cycles = err.count("nothing to do")
    logins = err.count(" opened to ")
    return {"cpu_s_per_idle_cycle": bench.rnd((c1 - c0) / max(1, t1 - t0), 4),  # consumer_sleep_secs = 1
            "idle_cycles": cycles, "ssh_logins": logins}


def history(site, count):
    """count signed READY manifests older than the newest, in the sandbox's manifest dir, owned as the others."""
    with open(site.config) as f:
        manifest_dir = json.load(f)["storage"]["manifest_dir"]
    key = os.path.join(os.path.dirname(site.config), "dr_sync_keys", "publisher.ed25519")
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run(["java", "-cp", os.path.join(here, "..", "target", "whpg-dr-sync.jar"),
                    os.path.join(here, "ManifestHistory.java"), manifest_dir, str(count), key], check=True)
    st = os.stat(manifest_dir)
    for name in os.listdir(manifest_dir):
        os.chown(os.path.join(manifest_dir, name), st.st_uid, st.st_gid)
    bench.log(f"{count} older manifests written to {manifest_dir}")


def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", help="a checkout of the new build (default: this tree)")
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--hosts", type=int, default=0)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--idle-secs", type=int, default=20)
    ap.add_argument("--idle-warm", type=int, default=6)
    ap.add_argument("--history", type=int, default=0)
    ap.add_argument("--work", default="/tmp/whpg-ab")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    tools = {"old": Launcher(args.old), "new": Launcher(args.new) if args.new else bench.Tool()}
    os.makedirs(args.work, exist_ok=True)
    out = {"n": args.n, "hosts": args.hosts, "load_avg_start": [round(x, 2) for x in os.getloadavg()],
           "once": {"old": [], "new": []}, "idle": {}}
    site = bench.Site(tools["new"], args.work, args.n, args.hosts, 1)
    try:
        site.touch()
        site.publish()
        p, _ = tools["new"].run("dr", "run", "--once", "--config", site.config)
        assert p.returncode == 0, p.stdout + p.stderr[-500:]
        for rep in range(args.reps):
            for name in ("old", "new") if rep % 2 == 0 else ("new", "old"):
                site.touch()
                pub = site.publish()
                p, wall = tools[name].run("dr", "run", "--once", "--config", site.config)
                receipt = site.await_receipt(pub["restore_point"], timeout=10)
                rec = site.measure_cycle(pub["restore_point"], receipt, None, wall=wall)
                with open(receipt) as f:
                    steps = json.load(f).get("step_ms")
                row = {"wall_s": bench.rnd(wall), "floor_s": rec.get("floor_s"), "cycle_s": rec.get("cycle_s"),
                       "overhead_s": rec.get("overhead_s"),
                       "step_ms": steps, "load1": round(os.getloadavg()[0], 2)}
                out["once"][name].append(row)
                bench.log(f"{name} #{rep + 1}: --once wall {wall:.2f} s, floor {rec.get('floor_s')} s, steps {steps}")
        if args.history:
            history(site, args.history)
            out["history"] = args.history
        for name in ("old", "new"):
            out["idle"][name] = idle_daemon_cpu(tools[name], site, args.idle_secs, args.idle_warm)
            bench.log(f"{name} idle daemon: {out['idle'][name]}")
    finally:
        site.down()
    for name in ("old", "new") if args.reps else ():
        rows = out["once"][name]
        out[f"{name}_median"] = {k: bench.median([r[k] for r in rows if r.get(k) is not None])
                                 for k in ("wall_s", "floor_s", "cycle_s", "overhead_s")}
        out[f"{name}_median"]["wall_minus_floor_s"] = bench.median(
            [r["wall_s"] - r["floor_s"] for r in rows if r.get("floor_s") is not None])
        out[f"{name}_median"]["step_ms"] = {k: statistics.median([r["step_ms"][k] for r in rows if r["step_ms"]
                                                                  and k in r["step_ms"]])
                                            for k in (rows[0]["step_ms"] or {})}
    out["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
    if args.reps:
        bench.log(f"old median {out['old_median']}\nnew median {out['new_median']}")


if __name__ == "__main__":
    main()
