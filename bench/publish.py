#!/usr/bin/env python3
"""Publisher bench: `primary run --once` and the `primary run` daemon on an existing cluster (sandbox or Greenplum lab).

Each repetition writes a little on every instance (so the idle rule does not skip the point), publishes, and reads
back what the tool wrote: the manifest's step_ms, its ctime (READY's rename) and the archive copies' mtimes.

  bench/publish.py --config /tmp/lab/dr_sync_config.json --write coordinator --reps 7 --label gp7-lab
  bench/publish.py --config /tmp/sb/dr_sync_config.json --write each --reps 7 --label sandbox

Per repetition:
  wall_s             `primary run --once` from the shell (JVM start to exit); daemon: none
  created_to_ready_s the cycle's start (the manifest's created_at_utc, when the name was taken) -> READY renamed
  cpu_s              user+sys CPU of that process (once only)
  point_to_ready_s   restore point requested (after the checks and the CHECKPOINT) -> READY manifest renamed
  archiver_copy_s    WAL switch returned -> the last needed file's archive copy closed (the archiver's own time)
  ready_after_archived_s  last needed file archived (copy's mtime) -> READY renamed
  steps              the manifest's evidence.step_ms
Writes bench/results/publish-<label>.json (every number) and prints medians; `bench/publish.py --report` renders
every such file into bench/results/publish.md. WHPG_TOOL=path runs another build's
launcher (e.g. a worktree of an older commit) for a before/after in the same session.
"""
import argparse, datetime, json, os, resource, signal, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.environ.get("WHPG_TOOL", os.path.join(HERE, "..", "bin", "whpg_dr_sync"))
PSQL = os.environ.get("PSQL", "/usr/lib/postgresql/15/bin/psql")


def iso(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


class Cluster:
    def __init__(self, config_path, write):
        self.config_path = os.path.abspath(config_path)
        with open(self.config_path) as f:
            self.cfg = json.load(f)
        p = self.cfg["primary"]
        self.conn = dict(host=p["host"], port=str(p["port"]), db=p.get("db", "postgres"), user=p["user"])
        self.utility = p.get("utility_options", "-c gp_role=utility")
        self.write = write
        self.manifests = self.cfg["storage"]["manifest_dir"]
        self.archive = self.cfg["archive"]["archive_dir"]
        self.layout = self.cfg["archive"].get("layout", "%c")
        if write == "coordinator":
            self.sql("CREATE TABLE IF NOT EXISTS bench_publish (id int, t text) DISTRIBUTED BY (id)")

    def sql(self, statement, port=None, utility=False):
        env = dict(os.environ, PGOPTIONS=self.utility if utility else "")
        subprocess.run([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.conn["host"], "-p", port or self.conn["port"],
                        "-U", self.conn["user"], "-d", self.conn["db"], "-c", statement], check=True, env=env,
                       stdout=subprocess.DEVNULL)

    def instances(self):
        out = subprocess.run([PSQL, "-X", "-qAt", "-h", self.conn["host"], "-p", self.conn["port"], "-U", self.conn["user"],
                              "-d", self.conn["db"], "-c", "SELECT port FROM gp_segment_configuration WHERE role = 'p'"],
                             check=True, capture_output=True, text=True).stdout.split()
        return out

    def touch(self):
        """A small write on every instance: a new point is needed (not an idle heartbeat)."""
        if self.write == "coordinator":
            self.sql("INSERT INTO bench_publish SELECT g, 'bench' FROM generate_series(1, 10) g")
        else:
            for port in self.instances():
                self.sql("INSERT INTO dr_probe (note) VALUES ('bench publish')", port=port, utility=True)

    def archived_mtime(self, content, name):
        d = os.path.join(self.archive, self.layout.replace("%c", str(content)))
        return os.stat(os.path.join(d, name)).st_mtime

    def measure(self, name):
        path = os.path.join(self.manifests, name + ".json")
        with open(path) as f:
            m = json.load(f)
        ready = os.stat(path).st_ctime
        steps = m["evidence"].get("step_ms")  # absent before the tool recorded it: no point/switch split
        created = iso(m["created_at_utc"])
        ms = lambda *keys: sum(steps.get(k, 0) for k in keys) / 1000.0
        point = created + ms("start", "checks", "checkpoint") if steps else None
        switched = point + ms("restore_point", "wal_files_and_switch") if steps else None
        last = max(self.archived_mtime(c, f) for c, e in m["evidence"]["instances"].items()
                   for f in e["wal_files_needed"])
        return dict(restore_point=name, ready=m["ready"], steps=steps, created_to_ready_s=round(ready - created, 3),
                    point_to_ready_s=round(ready - point, 3) if steps else None,
                    archiver_copy_s=round(last - switched, 3) if steps else None, ready_after_archived_s=round(ready - last, 3),
                    by_marker=sum(len(e.get("archive_status_done", [])) for e in m["evidence"]["instances"].values()))


def once(cluster, reps):
    rows = []
    for _ in range(reps):
        cluster.touch()
        time.sleep(1.05)  # restore point names have a one-second resolution
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.time()
        p = subprocess.run([TOOL, "primary", "run", "--once", "--config", cluster.config_path], capture_output=True, text=True)
        wall = time.time() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode != 0:
            raise SystemExit(f"primary run --once failed: {p.stdout} {p.stderr[-800:]}")
        row = cluster.measure(p.stdout.split()[0])
        row.update(wall_s=round(wall, 3), cpu_s=round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 3),
                   load=os.getloadavg()[0])
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def daemon(cluster, reps):
    cfg = dict(cluster.cfg)
    cfg["behavior"] = dict(cfg["behavior"], publisher_sleep_secs=1)
    # beside the original: the default signing key lives beside the config
    copy = cluster.config_path.replace(".json", ".bench-daemon.json")
    with open(copy, "w") as f:
        json.dump(cfg, f)
    log = open(copy + ".log", "w")
    proc = subprocess.Popen([TOOL, "primary", "run", "--config", copy], stdout=log, stderr=subprocess.STDOUT)
    rows = []
    try:
        seen = set(os.listdir(cluster.manifests))
        while len(rows) < reps:
            cluster.touch()
            deadline = time.time() + 30
            name = None
            while name is None and time.time() < deadline:
                time.sleep(0.2)
                for f in sorted(set(os.listdir(cluster.manifests)) - seen):
                    if f.endswith(".json"):
                        with open(os.path.join(cluster.manifests, f)) as fh:
                            if json.load(fh)["ready"]:
                                name = f[:-5]
            if name is None:
                raise SystemExit("daemon published no READY point in 30 s; see " + copy + ".log")
            seen = set(os.listdir(cluster.manifests))
            row = cluster.measure(name)
            row.update(load=os.getloadavg()[0])
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        log.close()
        os.unlink(copy)
    return rows


def med(rows, key):
    vals = [r[key] for r in rows if r.get(key) is not None]
    return round(statistics.median(vals), 3) if vals else None


def report():
    """results/publish.md: one table row per result file and mode, medians with min-max."""
    d = os.path.join(HERE, "results")
    keys = ("wall_s", "cpu_s", "created_to_ready_s", "point_to_ready_s", "archiver_copy_s", "ready_after_archived_s")
    lines = ["# Publisher bench (`bench/publish.py`): medians (min-max) of every run", "",
             "| result | mode | runs | load | " + " | ".join(keys) + " | note |", "|---|---|---:|---|" + "---:|" * len(keys) + "---|"]
    for name in sorted(f for f in os.listdir(d) if f.startswith("publish-") and f.endswith(".json")):
        with open(os.path.join(d, name)) as f:
            r = json.load(f)
        for mode in ("once", "daemon"):
            rows = r.get(mode, {}).get("rows", [])
            if not rows:
                continue
            def cell(k):
                vals = [x[k] for x in rows if x.get(k) is not None]
                return f"{statistics.median(vals):.3f} ({min(vals):.2f}-{max(vals):.2f})" if vals else "-"
            loads = [x["load"] for x in rows]
            lines.append(f"| {r['label']} | {mode} | {len(rows)} | {min(loads):.1f}-{max(loads):.1f} | "
                         + " | ".join(cell(k) for k in keys) + f" | {r.get('note', '')} |")
    with open(os.path.join(d, "publish.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    if sys.argv[1:] == ["--report"]:
        return report()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--write", choices=["coordinator", "each"], default="coordinator",
                    help="coordinator: 10 rows through a distributed table (Greenplum); each: a row into dr_probe on every instance (sandbox)")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--modes", default="once,daemon")
    ap.add_argument("--label", required=True)
    ap.add_argument("--note", default="")
    ap.add_argument("--append", action="store_true", help="add the rows to an existing result of this label (interleaved runs)")
    a = ap.parse_args()
    cluster = Cluster(a.config, a.write)
    result = dict(label=a.label, note=a.note, at=datetime.datetime.utcnow().isoformat() + "Z", nproc=os.cpu_count(),
                  commit=subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
                  load_before=os.getloadavg()[0])
    out = os.path.join(HERE, "results", f"publish-{a.label}.json")
    earlier = {}
    if a.append and os.path.exists(out):
        with open(out) as f:
            earlier = json.load(f)
        result.update(at=earlier["at"], load_before=earlier["load_before"])
    for mode in a.modes.split(","):
        rows = earlier.get(mode, {}).get("rows", []) + (once(cluster, a.reps) if mode == "once" else daemon(cluster, a.reps))
        result[mode] = dict(rows=rows, median={k: med(rows, k) for k in
                                               ("wall_s", "cpu_s", "created_to_ready_s", "point_to_ready_s", "archiver_copy_s", "ready_after_archived_s", "load")})
        print(mode, "median", json.dumps(result[mode]["median"]), flush=True)
    for mode in set(earlier) & {"once", "daemon"} - set(result):
        result[mode] = earlier[mode]
    result["load_after"] = os.getloadavg()[0]
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    print("wrote", out)


if __name__ == "__main__":
    sys.exit(main())
