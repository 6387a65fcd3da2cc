#!/usr/bin/env python3
"""whpg-dr-sync benchmark harness: cycle cost against the physical floor (see bench/README.md).

Builds real sandboxes with the tool's own `sandbox up`, drives the tool only through its command line
(the daemon `dr run`, `dr run --once`, `primary run --once`), and reads what it wrote: receipts, the
state file, manifests, and the DR instances' own server logs (millisecond timestamps), which give the
floor: how long each PostgreSQL instance took from its start to its exit.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_BIN = "/usr/lib/postgresql/15/bin"
RECEIPT_TIMEOUT_S = 900
MB = 1024 * 1024


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def iso(ts):
    """Epoch seconds of an ISO-8601 time (Z or offset; nanoseconds are cut to microseconds)."""
    return datetime.datetime.fromisoformat(ts).timestamp()


PG_LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) (UTC|GMT|[+-]\d\d(?::?\d\d)?) ")


def pg_log_time(line):
    """Epoch seconds of a server-log line written with log_line_prefix '%m [%p] ' (log_timezone UTC or an offset)."""
    m = PG_LOG_TIME.match(line)
    if not m:
        return None
    zone = m.group(2)
    offset = "+00:00" if zone in ("UTC", "GMT") else zone
    return datetime.datetime.fromisoformat(m.group(1) + offset).timestamp()


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def rnd(v, digits=3):
    return None if v is None else round(v, digits)


def ctime(path):
    """When a file written by AtomicFiles became visible: the rename sets its ctime."""
    return os.stat(path).st_ctime_ns / 1e9


class Tool:
    """The tool's launcher, bin/whpg_dr_sync, run exactly as users run it."""

    def __init__(self):
        self.launcher = os.path.join(REPO, "bin", "whpg_dr_sync")

    def argv(self, *args):
        return [self.launcher, *args]

    def run(self, *args, env=None, timeout=1800):
        t0 = time.time()
        p = subprocess.run(self.argv(*args), capture_output=True, text=True, env=env, timeout=timeout)
        return p, time.time() - t0


class Site:
    """One sandbox: its descriptor, its bench config, and SQL on its primaries."""

    def __init__(self, tool, root, n, hosts, consumer_sleep):
        self.tool = tool
        self.n = n
        self.hosts = hosts
        self.dir = os.path.join(root, f"{'ssh' if hosts else 'local'}-n{n}")
        if os.path.exists(self.dir):
            self._down_quietly()
            shutil.rmtree(self.dir)
        args = ["sandbox", "up", "--dir", self.dir, "--segments", str(max(1, n - 1))]
        if hosts:
            args += ["--hosts", str(hosts)]
        p, took = tool.run(*args)
        if p.returncode != 0:
            raise RuntimeError(f"sandbox up failed ({p.returncode}): {p.stderr.strip()[-800:]}")
        self.up_s = took
        with open(os.path.join(self.dir, "sandbox.json")) as f:
            self.descriptor = json.load(f)
        self.user = self.descriptor["service_user"]
        self.primaries = {p["content_id"]: p["port"] for p in self.descriptor["primaries"]}
        with open(os.path.join(self.dir, "dr_sync_config.json")) as f:
            cfg = json.load(f)
        if n == 1:
            # The sandbox has at least one segment: hide it from both sides for a one-instance "cluster".
            self.sql(-1, "DELETE FROM gp_segment_configuration WHERE content >= 0")
            cfg["dr"]["instances"] = [i for i in cfg["dr"]["instances"] if i["gp_segment_id"] == -1]
            self.primaries = {-1: self.primaries[-1]}
        b = cfg["behavior"]
        b["consumer_sleep_secs"] = consumer_sleep
        b["publisher_sleep_secs"] = 3600
        b["consumer_reach_poll_secs"] = 1
        b["consumer_wait_reach_secs"] = 900
        b["publisher_wait_archive_secs"] = 600
        self.cfg = cfg
        self.config = os.path.join(self.dir, "bench_config.json")
        with open(self.config, "w") as f:
            json.dump(cfg, f, indent=2)
        self.instances = {i["gp_segment_id"]: i for i in cfg["dr"]["instances"]}
        self.receipts = cfg["dr"]["receipts_dir"]
        self.state_file = os.path.join(cfg["dr"]["state_dir"], "current_restore_point.txt")
        self.manifest_dir = cfg["storage"]["manifest_dir"]
        self.last_published = None

    def sql(self, content, statement):
        argv = [os.path.join(PG_BIN, "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                "-p", str(self.primaries[content]), "-d", "postgres", "-c", statement]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", self.user, "--"] + argv
        p = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise RuntimeError(f"psql on content {content}: {p.stderr.strip()}")
        return p.stdout.strip()

    def each_primary(self, statement, threads=2):
        """Runs one statement on every primary, `threads` at a time (CPU-bound work: one per core)."""
        contents = list(self.primaries)
        errors = []

        def worker():
            while True:
                try:
                    c = contents.pop()
                except IndexError:
                    return
                try:
                    self.sql(c, statement)
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(str(e))

        ts = [threading.Thread(target=worker) for _ in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        if errors:
            raise RuntimeError("; ".join(errors))

    def touch(self):
        """A tiny WAL delta that dirties a page on every instance (one row each)."""
        self.each_primary("INSERT INTO dr_probe (note) VALUES ('bench')")

    def generate_wal(self, mb):
        """About `mb` MB of WAL on every primary: batches of rows until the insert position moved that far."""
        self.each_primary(f"""
            CREATE TABLE IF NOT EXISTS bench_wal (id bigint, payload text);
            TRUNCATE bench_wal;
            DO $$ DECLARE s pg_lsn := pg_current_wal_insert_lsn(); BEGIN
              WHILE pg_wal_lsn_diff(pg_current_wal_insert_lsn(), s) < {mb} * 1048576.0 LOOP
                INSERT INTO bench_wal SELECT g, md5(g::text) || md5((g + 1)::text)
                  FROM generate_series(1, 50000) AS g;
              END LOOP; END $$""")

    def publish(self):
        """`primary run --once`; returns the publish record (names never repeat within a second: wait if needed)."""
        while self.last_published and int(time.time()) == int(self.last_published):
            time.sleep(0.05)
        p, wall = self.tool.run("primary", "run", "--once", "--config", self.config)
        self.last_published = time.time()
        if p.returncode != 0:
            raise RuntimeError(f"primary run --once failed ({p.returncode}): {p.stdout.strip()} {p.stderr.strip()[-500:]}")
        name = p.stdout.split()[0]
        path = os.path.join(self.manifest_dir, name + ".json")
        with open(path) as f:
            m = json.load(f)
        created = iso(m["created_at_utc"])
        ready = ctime(path)
        # the archive copies' mtimes: pg_stat_archiver's archived_at may still name an older file when READY was
        # proven by the archive_status marker (PostgreSQL 12 statistics lag up to 0.5 s)
        archive = self.cfg["archive"]
        archived = [os.stat(os.path.join(archive["archive_dir"], archive.get("layout", "%c").replace("%c", c), f)).st_mtime
                    for c, e in m["evidence"]["instances"].items() for f in e["wal_files_needed"]]
        last_archived = max(archived) if archived else None
        return {"restore_point": name, "wall_s": rnd(wall), "ready_at": ready,
                "created_to_ready_s": rnd(ready - created),
                "created_to_last_archived_s": rnd(last_archived - created) if last_archived else None,
                "last_archived_to_ready_s": rnd(ready - last_archived) if last_archived else None}

    def await_receipt(self, name, timeout=RECEIPT_TIMEOUT_S):
        deadline = time.time() + timeout
        ok = os.path.join(self.receipts, name + ".receipt.json")
        while time.time() < deadline:
            if os.path.exists(ok) and self.current() == name:
                return ok
            failed = glob.glob(os.path.join(self.receipts, glob.escape(name) + ".*.receipt.json"))
            if failed:
                return sorted(failed)[-1]
            time.sleep(0.02)
        raise RuntimeError(f"no receipt for {name} within {timeout} s")

    def instances_on(self, described_host):
        """How many DR instances live on the host a log line names ("local(postgres)", "postgres@127.0.0.3:2222")."""
        if described_host.startswith("local"):
            return sum(1 for i in self.instances.values() if i["is_local"])
        addr = described_host.split("@")[-1].rsplit(":", 1)[0]
        return sum(1 for i in self.instances.values() if not i["is_local"] and i["host"] == addr)

    def openssh_costs(self, tries=5):
        """A fresh OpenSSH login running `true`, and one round trip over an open (multiplexed) connection, in s."""
        ssh = self.cfg["ssh"]
        inst = next(i for i in self.instances.values() if not i["is_local"])
        base = ["ssh", "-i", ssh["identity"], "-o", "UserKnownHostsFile=" + ssh["known_hosts"],
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-p", str(inst["ssh_port"]),
                f"{ssh.get('user', self.user)}@{inst['host']}"]
        fresh, shared = [], []
        for _ in range(tries):
            t0 = time.time()
            subprocess.run(base + ["true"], check=True, capture_output=True, timeout=30)
            fresh.append(time.time() - t0)
        control = os.path.join(self.dir, "bench-ssh-%C")
        mux = ["-o", "ControlMaster=auto", "-o", "ControlPath=" + control, "-o", "ControlPersist=30"]
        subprocess.run(base[:1] + mux + base[1:] + ["true"], check=True, capture_output=True, timeout=30)
        try:
            for _ in range(tries):
                t0 = time.time()
                subprocess.run(base[:1] + mux + base[1:] + ["true"], check=True, capture_output=True, timeout=30)
                shared.append(time.time() - t0)
        finally:
            subprocess.run(base[:1] + mux + ["-O", "exit"] + base[1:], capture_output=True, timeout=30)
        return {"fresh_login_s": rnd(median(fresh)), "multiplexed_round_trip_s": rnd(median(shared)), "tries": tries}

    def current(self):
        try:
            with open(self.state_file) as f:
                return f.read().strip()
        except FileNotFoundError:
            return None

    def floor(self, name):
        """Per instance, start-to-exit from its own server log for this restore point (the newest attempt)."""
        per = {}
        for seg, inst in self.instances.items():
            logs = sorted(glob.glob(os.path.join(inst["data_dir"], "log", f"whpg_dr_sync-{glob.escape(name)}-*.log")),
                          key=lambda p: int(re.search(r"-(\d+)\.log$", p).group(1)))
            if not logs:
                raise RuntimeError(f"instance {seg}: no server log for {name}")
            start = end = None
            with open(logs[-1], errors="replace") as f:
                for line in f:
                    if start is None and "starting PostgreSQL" in line:
                        start = pg_log_time(line)
                    elif "database system is shut down" in line:
                        end = pg_log_time(line)
            if start is None or end is None:
                raise RuntimeError(f"instance {seg}: {logs[-1]} lacks the start or shutdown line")
            per[seg] = (start, end)
        return per

    def measure_cycle(self, name, receipt_path, published, wall=None):
        """One consume cycle's numbers: cycle time, floor, overhead and where it went."""
        with open(receipt_path) as f:
            r = json.load(f)
        rec = {"restore_point": name, "status": r["status"], "advanced": r.get("advanced")}
        if r["status"] != "reached_then_shutdown":
            rec["detail"] = r.get("detail")
            return rec
        started = iso(r["started_at_utc"])
        committed = ctime(self.state_file)
        per = self.floor(name)
        floor = max(e - s for s, e in per.values())
        first_start = min(s for s, _ in per.values())
        last_exit = max(e for _, e in per.values())
        cycle = committed - started
        replayed = [int(i.get("min_recovery_end_lsn", "0/0").split("/")[0], 16) * 2 ** 32
                    + int(i.get("min_recovery_end_lsn", "0/0").split("/")[1], 16)
                    - int(i["floor_before"].split("/")[0], 16) * 2 ** 32 - int(i["floor_before"].split("/")[1], 16)
                    for i in r["instances"] if i.get("started")]
        rec.update({
            "cycle_s": rnd(cycle), "receipt_duration_s": rnd(r["duration_ms"] / 1000),
            "floor_s": rnd(floor), "overhead_s": rnd(cycle - floor), "ratio": rnd(cycle / floor, 2),
            "before_first_start_s": rnd(first_start - started), "after_last_exit_s": rnd(committed - last_exit),
            "start_spread_s": rnd(max(s for s, _ in per.values()) - first_start),
            "instance_floor_s": {str(k): rnd(e - s) for k, (s, e) in sorted(per.items())},
            "step_ms": r.get("step_ms"), "ssh_sessions": r.get("ssh_sessions"), "host_shells": r.get("host_shells"),
            "replayed_mb_max": rnd(max(replayed) / MB, 1) if replayed else None,
            "replayed_mb_total": rnd(sum(replayed) / MB, 1) if replayed else None,
            "ready_to_cycle_start_s": rnd(started - published["ready_at"]) if published else None,
            "_started": started, "_committed": committed,
        })
        if wall is not None:
            rec["once_wall_s"] = rnd(wall)
            rec["once_wall_minus_floor_s"] = rnd(wall - floor)
        return rec

    def down(self):
        p, _ = self.tool.run("sandbox", "down", "--dir", self.dir)
        if p.returncode != 0:
            log(f"sandbox down {self.dir}: {p.stderr.strip()[-300:]}")

    def _down_quietly(self):
        if os.path.exists(os.path.join(self.dir, "sandbox.json")):
            self.tool.run("sandbox", "down", "--dir", self.dir)


class Daemon:
    """`dr run` (no --once) as a child process; stopped by its pid with SIGTERM."""

    HOST_CALL = re.compile(r"^(\S+) DEBUG .*HostRunner - (\w+) on (\S+): (\d+) ms")

    def __init__(self, site, env=None):
        self.site = site
        self.log_path = os.path.join(site.dir, "daemon.log")
        env = dict(env or os.environ, WHPG_LOG_LEVEL="DEBUG")
        self.log_file = open(self.log_path, "w")
        self.spawned_at = time.time()
        self.proc = subprocess.Popen(site.tool.argv("dr", "run", "--config", site.config),
                                     stdout=subprocess.DEVNULL, stderr=self.log_file, env=env)

    def peak_rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return None

    def host_calls(self, start, end):
        """The daemon's host round trips (step, host, ms) logged between two instants."""
        calls = []
        with open(self.log_path, errors="replace") as f:
            for line in f:
                m = self.HOST_CALL.match(line)
                if m and start - 0.002 <= iso(m.group(1)) <= end + 0.002:
                    calls.append((m.group(2), m.group(3), int(m.group(4))))
        return calls

    def cpu_s(self):
        """User + system CPU seconds the daemon has used so far."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log_file.close()


def cycle_with_calls(site, daemon, name, published):
    receipt = site.await_receipt(name)
    rec = site.measure_cycle(name, receipt, published)
    if "_started" in rec:
        calls = daemon.host_calls(rec["_started"], rec["_committed"])
        rec["round_trips"] = len(calls)
        # Each call with the number of instances its host holds: the script does per-instance work serially.
        rec["calls"] = [[step, host, ms, site.instances_on(host)] for step, host, ms in calls]
    return rec


def clean(rec):
    return {k: v for k, v in rec.items() if not k.startswith("_")}


def bench_site(tool, args, root, n, hosts, results):
    variant = f"ssh{hosts}" if hosts else "local"
    log(f"{variant} N={n}: sandbox up")
    site = Site(tool, root, n, hosts, args.consumer_sleep)
    daemon = None
    try:
        results["sandbox_up_s"].append({"variant": variant, "n": n, "s": rnd(site.up_s)})
        # The DR copies start as fresh base backups: the first cycle takes them to a restore point.
        site.touch()
        pub = site.publish()
        p, wall = tool.run("dr", "run", "--once", "--config", site.config)
        if p.returncode != 0:
            raise RuntimeError(f"first dr run --once failed: {p.stdout.strip()} {p.stderr.strip()[-500:]}")
        log(f"{variant} N={n}: first cycle (from the base backups) done in {wall:.2f} s")

        if hosts:
            results["ssh"].setdefault("openssh_client", []).append(dict(n=n, **site.openssh_costs()))

        if "once" in args.parts:
            for rep in range(args.reps):
                site.touch()
                pub = site.publish()
                results["publish"].append(dict(variant=variant, n=n, wal="tiny", how="primary run --once", **clean(pub)))
                p, wall = tool.run("dr", "run", "--once", "--config", site.config)
                receipt = site.await_receipt(pub["restore_point"], timeout=5)
                rec = site.measure_cycle(pub["restore_point"], receipt, None, wall=wall)
                results["cycles"].append(dict(variant=variant, n=n, wal="tiny", mode="once", rep=rep + 1, **clean(rec)))
                log(f"{variant} N={n} once tiny #{rep + 1}: wall {wall:.2f} s, floor {rec.get('floor_s')} s")

        if "daemon" in args.parts or "footprint" in args.parts:
            # A point is waiting when the daemon starts, so its first cycle has work: JVM start to first cycle.
            site.touch()
            pub = site.publish()
            daemon = Daemon(site)
            receipt = site.await_receipt(pub["restore_point"])
            first = site.measure_cycle(pub["restore_point"], receipt, None)
            results["footprint"].append({
                "variant": variant, "n": n,
                "jvm_start_to_first_cycle_s": rnd(first["_started"] - daemon.spawned_at) if "_started" in first else None,
                "jvm_start_to_first_commit_s": rnd(first["_committed"] - daemon.spawned_at) if "_started" in first else None,
                "first_cycle": clean(first), "cpu_after_first_cycle_s": rnd(daemon.cpu_s(), 2)})
            log(f"{variant} N={n}: daemon first cycle at +{results['footprint'][-1]['jvm_start_to_first_cycle_s']} s")

        if "daemon" in args.parts:
            for rep in range(args.reps):
                site.touch()
                pub = site.publish()
                results["publish"].append(dict(variant=variant, n=n, wal="tiny", how="primary run --once", **clean(pub)))
                rec = cycle_with_calls(site, daemon, pub["restore_point"], pub)
                results["cycles"].append(dict(variant=variant, n=n, wal="tiny", mode="daemon", rep=rep + 1, **clean(rec)))
                log(f"{variant} N={n} daemon tiny #{rep + 1}: cycle {rec.get('cycle_s')} s, floor {rec.get('floor_s')} s")
            for rep in range(args.big_reps if args.wal_mb > 0 else 0):
                log(f"{variant} N={n}: generating {args.wal_mb} MB of WAL on each of {len(site.primaries)} primaries")
                site.generate_wal(args.wal_mb)
                pub = site.publish()
                results["publish"].append(dict(variant=variant, n=n, wal=f"{args.wal_mb}MB", how="primary run --once", **clean(pub)))
                rec = cycle_with_calls(site, daemon, pub["restore_point"], pub)
                results["cycles"].append(dict(variant=variant, n=n, wal=f"{args.wal_mb}MB", mode="daemon", rep=rep + 1, **clean(rec)))
                log(f"{variant} N={n} daemon {args.wal_mb}MB #{rep + 1}: cycle {rec.get('cycle_s')} s, floor {rec.get('floor_s')} s")

        if daemon is not None:
            daemon_summary(daemon, results["footprint"][-1])
            daemon.stop()
            daemon = None
        if "startup" in args.parts and not hosts and n == max(args.ns):
            results["startup"] = startup(site, max(5, args.reps))
    finally:
        if daemon is not None:
            daemon.stop()
        site.down()
        if not args.keep:
            shutil.rmtree(site.dir, ignore_errors=True)


def daemon_summary(daemon, footprint):
    """Peak RSS, and what its log says about its cycles (the bench asked each point to advance exactly once)."""
    footprint["peak_rss_mb"] = rnd(daemon.peak_rss_mb(), 1)
    footprint["cpu_s"] = rnd(daemon.cpu_s(), 2)
    footprint["lifetime_s"] = rnd(time.time() - daemon.spawned_at, 1)
    with open(daemon.log_path, errors="replace") as f:
        lines = [line for line in f if "ConsumeSteps - " in line]
    footprint["cycles_run"] = sum(1 for line in lines if "nothing to do" in line or "advanced to" in line
                                  or "cycle failed" in line)
    footprint["failed_cycles"] = sum(1 for line in lines if "cycle failed" in line)
    advanced = [line.split("advanced to ")[1].split(":")[0] for line in lines if "advanced to" in line]
    footprint["repeated_advances"] = len(advanced) - len(set(advanced))
    if footprint.get("cpu_after_first_cycle_s") is not None and footprint["cycles_run"] > 1:
        # Start-up and JIT warm-up left out: mostly cycles with nothing to do (a probe: one session per SSH host).
        footprint["cpu_per_later_cycle_s"] = rnd((footprint["cpu_s"] - footprint["cpu_after_first_cycle_s"])
                                                 / (footprint["cycles_run"] - 1), 3)


def startup(site, reps):
    """Start-up with and without the launcher's class-data archive, on a cycle with nothing to do."""
    out = {}
    for cds in ("on", "off"):
        env = dict(os.environ, WHPG_CDS=cds)
        once, first, rss = [], [], []
        for _ in range(reps):
            p, wall = site.tool.run("dr", "run", "--once", "--config", site.config, env=env)
            if p.returncode != 0:
                raise RuntimeError(f"dr run --once (nothing to do) failed: {p.stdout.strip()} {p.stderr.strip()[-300:]}")
            once.append(wall)
            d = Daemon(site, env=env)
            try:
                deadline = time.time() + 60
                at = None
                while at is None and time.time() < deadline and d.alive():
                    time.sleep(0.02)
                    with open(d.log_path, errors="replace") as f:
                        for line in f:
                            if "ConsumeSteps - nothing to do" in line:
                                at = iso(line.split()[0])
                                break
                if at is None:
                    raise RuntimeError("the daemon logged no cycle within 60 s")
                first.append(at - d.spawned_at)
                rss.append(d.peak_rss_mb())
            finally:
                d.stop()
        out[f"cds_{cds}"] = {"once_nothing_to_do_wall_s": rnd(median(once)), "once_runs": [rnd(x) for x in once],
                             "daemon_start_to_first_cycle_end_s": rnd(median(first)),
                             "daemon_runs": [rnd(x) for x in first], "daemon_peak_rss_mb": rnd(median(rss), 1),
                             "n": site.n}
        log(f"startup with CDS {cds}: --once {out[f'cds_{cds}']['once_nothing_to_do_wall_s']} s, daemon first cycle "
            f"end {out[f'cds_{cds}']['daemon_start_to_first_cycle_end_s']} s, RSS {out[f'cds_{cds}']['daemon_peak_rss_mb']} MB")
    return out


def ssh_supported(tool):
    p, _ = tool.run("sandbox", "up", "--help")
    return "--hosts" in p.stdout + p.stderr


def main():
    ap = argparse.ArgumentParser(description="whpg-dr-sync benchmarks; see bench/README.md")
    ap.add_argument("--parts", default="once,daemon,footprint,startup,ssh",
                    help="comma list of: once, daemon, footprint, startup, ssh (default: all)")
    ap.add_argument("--n", default="1,4,8,16", help="instance counts N (coordinator + N-1 segments); '' for none")
    ap.add_argument("--ssh-n", default=None, help="instance counts for the SSH variant (default: --n)")
    ap.add_argument("--hosts", type=int, default=4, help="DR hosts of the SSH variant")
    ap.add_argument("--reps", type=int, default=3, help="tiny-WAL cycles per N and mode")
    ap.add_argument("--big-reps", type=int, default=1, help="large-WAL cycles per N (daemon)")
    ap.add_argument("--wal-mb", type=int, default=100, help="WAL per instance for the large cycles (0: skip)")
    ap.add_argument("--consumer-sleep", type=int, default=1, help="behavior.consumer_sleep_secs of the daemon")
    ap.add_argument("--work", default="/tmp/whpg-bench", help="where sandboxes are built (short path, not /root)")
    ap.add_argument("--out", default=os.path.join(REPO, "bench", "results"))
    ap.add_argument("--keep", action="store_true", help="keep the sandboxes' files (they are always stopped)")
    ap.add_argument("--note", default="", help="a line for results.md, e.g. what was merged into the build")
    args = ap.parse_args()
    args.parts = set(args.parts.split(","))
    ns = [int(x) for x in args.n.split(",") if x]
    args.ns = ns
    ssh_ns = [int(x) for x in (args.ssh_n or args.n).split(",") if x]
    os.makedirs(args.work, exist_ok=True)
    os.chmod(args.work, 0o755)
    os.makedirs(args.out, exist_ok=True)

    tool = Tool()
    t0 = time.time()
    results = {
        "meta": meta(args, tool),
        "cycles": [], "publish": [], "footprint": [], "startup": None, "sandbox_up_s": [], "ssh": {}, "not_measured": [],
    }
    plan = [(n, None) for n in ns]
    if "ssh" in args.parts:
        if ssh_supported(tool):
            for n in ssh_ns:
                if n < args.hosts:
                    results["not_measured"].append(f"ssh{args.hosts} N={n}: fewer instances than DR hosts")
                else:
                    plan.append((n, args.hosts))
        else:
            results["not_measured"].append(
                f"SSH variant: this build's `sandbox up` has no --hosts option (branch ssh-cycle not merged yet); "
                f"run it later with: bench/run.sh --n '' --ssh-n {','.join(map(str, ssh_ns))} --parts ssh,daemon,footprint")
    for n, hosts in plan:
        try:
            bench_site(tool, args, args.work, n, hosts, results)
        except Exception as e:  # noqa: BLE001 - one broken site must not lose the others' numbers
            what = f"{'ssh' + str(hosts) if hosts else 'local'} N={n}"
            log(f"{what} FAILED: {e}")
            results["not_measured"].append(f"{what}: the run stopped: {e}")
    results["meta"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    results["meta"]["total_s"] = rnd(time.time() - t0, 1)

    import report  # noqa: E402 - beside this file
    report.write_all(results, args.out)
    log(f"done in {results['meta']['total_s']} s: {args.out}/results.json, results.md, cycle.png")


def meta(args, tool):
    def out(argv):
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            return (p.stdout + p.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return None

    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // 1024
    return {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": out(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]),
        "cpus": os.cpu_count(), "mem_mb": mem, "kernel": platform.release(),
        "java": out(["java", "-version"]), "postgres": out([os.path.join(PG_BIN, "postgres"), "--version"]),
        "launcher": os.path.relpath(tool.launcher, REPO),
        "java_opts": os.environ.get("WHPG_JAVA_OPTS", "(launcher default)"),
        "cds": os.environ.get("WHPG_CDS", "on"),
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
        "args": {k: (sorted(v) if isinstance(v, set) else v) for k, v in vars(args).items()},
    }


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
