# SPDX-License-Identifier: MIT
"""bench/run --peers: clustr-qt beside the process managers its users would
pick instead, PM2 (npm) and supervisord (Debian), on the same workloads,
alternating per repetition. docs/BENCHMARKS.md, "The peers", says what each
workload measures and how readiness is defined for each manager.

PM2 is installed from npm into BUILD_DIR/peers (pinned, never globally)
and runs with its own PM2_HOME there; supervisord runs with its own
configuration, socket and pidfile in a temporary directory. Everything
started is stopped at the end, on Ctrl-C and on errors too (pm2 kill on
its own home, supervisord's shutdown over its own socket, then by pid).
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import xmlrpc.client
from pathlib import Path

from benchlib import (BenchError, Proc, Redis, cpu_per_minute, cpu_snapshot, descendants_of, fmt_summary,
                      free_port, loadavg, parse_wrk, program_of, raise_fd_limit, rss_of, start_cluster, summary,
                      wrk_argv)

PM2_VERSION = "7.0.4"
MANAGERS = ["clustr", "supervisord", "pm2"]
LABELS = {"clustr": "clustr-qt", "supervisord": "supervisord", "pm2": "PM2"}
WORKERS = 32
HTTP_WORKERS = 4
SETTLE_S = 5  # after the last worker is ready, before memory and idle CPU are read
MARK_BEGIN = "<!-- peers:begin (bench/run --peers writes this part) -->"
MARK_END = "<!-- peers:end -->"


def manager_order(rep):
    # Each manager goes first, second and last in turn.
    return MANAGERS[rep % 3:] + MANAGERS[:rep % 3]


# --------------------------------------------------------------------------
# Readiness as Redis sees it: every peer worker publishes its pid on
# bench:ready once it is subscribed (or listening); this listener stamps
# each announcement as it arrives.

class ReadyListener:
    def __init__(self, redis):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(str(redis.socket))
        self.sock.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$11\r\nbench:ready\r\n")
        self.events = []  # (monotonic ns, pid)
        self.cond = threading.Condition()
        self.buffer = b""
        self._read_until(lambda: b"bench:ready\r\n:1\r\n" in self.buffer)  # the confirmation
        self.buffer = self.buffer[self.buffer.index(b":1\r\n") + 4:]
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _read_until(self, done):
        while not done():
            data = self.sock.recv(4096)
            if not data:
                raise BenchError("the ready listener lost its Redis connection")
            self.buffer += data

    def _run(self):
        # Messages: *3 $7 message $11 bench:ready $N <pid>
        rx = re.compile(rb"\*3\r\n\$7\r\nmessage\r\n\$11\r\nbench:ready\r\n\$\d+\r\n(\d+)\r\n")
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            if not data:
                return
            stamp = time.monotonic_ns()
            self.buffer += data
            with self.cond:
                end = 0
                for m in rx.finditer(self.buffer):
                    self.events.append((stamp, int(m.group(1))))
                    end = m.end()
                self.buffer = self.buffer[end:]  # a message cut off by the read stays for the next
                self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.events)

    def wait(self, since, count, timeout, what, exclude=()):
        """The time of the count-th announcement after mark `since` from a pid not in exclude."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                fresh = [e for e in self.events[since:] if e[1] not in exclude]
                if len(fresh) >= count:
                    return fresh[count - 1][0], [pid for _, pid in fresh[:count]]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BenchError(f"{what}: {len(fresh)} of {count} workers ready after {timeout} s")
                self.cond.wait(left)

    def close(self):
        self.sock.close()


# --------------------------------------------------------------------------
# Installing the peers

def install_pm2(ctx):
    """PM2 from npm into BUILD_DIR/peers, pinned; the path of its CLI."""
    prefix = ctx.build / "peers"
    cli = prefix / "node_modules" / "pm2" / "bin" / "pm2"
    package = prefix / "node_modules" / "pm2" / "package.json"
    if package.exists() and json.loads(package.read_text()).get("version") == PM2_VERSION:
        return cli
    for tool in ("node", "npm"):
        if not shutil.which(tool):
            raise BenchError(f"--peers needs {tool} (apt-get install nodejs npm)")
    prefix.mkdir(parents=True, exist_ok=True)
    ctx.progress(f"peers: installing PM2 {PM2_VERSION} from npm into {prefix}")
    done = subprocess.run(["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--save-exact",
                           f"pm2@{PM2_VERSION}"], capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not cli.exists():
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
        raise BenchError(f"PM2 {PM2_VERSION} could not be installed from npm (is the npm registry reachable?):\n{tail}")
    return cli


def system_supervisords():
    """Pids of supervisord processes that are not ours (a system service)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(part.endswith(b"supervisord") for part in cmdline[:2]) and b"clustr-bench-" not in b" ".join(cmdline):
                out.append(int(entry.name))
    return out


def ensure_supervisord(ctx):
    """supervisord from Debian, installed if missing, without leaving the
    system's service running."""
    if shutil.which("supervisord"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise BenchError("--peers needs supervisord: apt-get install --no-install-recommends supervisor (as root)")
    before = set(system_supervisords())
    ctx.progress("peers: installing supervisor from Debian (apt-get)")
    done = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "supervisor"],
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    # The package enables its service, and starts it where policy-rc.d lets
    # it: undo both (disable works without a running systemd too).
    if shutil.which("systemctl"):
        if Path("/run/systemd/system").exists():
            subprocess.run(["systemctl", "stop", "supervisor"], capture_output=True, timeout=60)
        subprocess.run(["systemctl", "disable", "supervisor"], capture_output=True, timeout=60)
    for pid in set(system_supervisords()) - before:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    if done.returncode != 0 or not shutil.which("supervisord"):
        raise BenchError("supervisor could not be installed: " + "\n".join(done.stderr.strip().splitlines()[-5:]))


def versions(pm2):
    def out(argv, env=None):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=30, env=env).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return "?"
    return {"pm2": PM2_VERSION, "supervisord": out(["supervisord", "--version"]), "node": out(["node", "--version"])}


def kill_leftovers(pids):
    """SIGKILL the processes of a manager that outlived it (they are gone
    when the manager stopped them, as it should)."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# --------------------------------------------------------------------------
# The managers. Each has start(workload) -> manager pid; worker_pids();
# stop(). The workloads: "idle" (32 bench-qtbare that subscribe and announce)
# and "http" (4 HTTP workers on `port`).

class Supervisord:
    name = "supervisord"

    def __init__(self, ctx, redis, workload, port=None):
        self.ctx, self.dir = ctx, Path(ctx.tmp) / f"supervisord-{Proc.counter}"
        (self.dir / "logs").mkdir(parents=True)
        self.socket = self.dir / "supervisor.sock"
        conf = self.dir / "supervisord.conf"
        text = (f"[unix_http_server]\nfile={self.socket}\nchmod=0700\n\n"
                f"[supervisord]\nnodaemon=true\nlogfile={self.dir}/supervisord.log\npidfile={self.dir}/supervisord.pid\n"
                f"childlogdir={self.dir}/logs\n\n"
                "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
                f"[supervisorctl]\nserverurl=unix://{self.socket}\n\n")
        if workload == "idle":
            text += (f"[program:worker]\ncommand={ctx.exe('bench-qtbare')} --redis={redis.url} --subscribe=bench:work "
                     f"--announce=bench:ready\nnumprocs={WORKERS}\nprocess_name=%(program_name)s_%(process_num)02d\n"
                     "autorestart=true\n")
        else:
            # fcgi-program: supervisord makes the listening socket and hands
            # it to every process of the pool as fd 0 (as http-master does).
            script = Path(__file__).parent / "peers-http.js"
            text += (f"[fcgi-program:http]\nsocket=tcp://127.0.0.1:{port}\ncommand=node {script}\n"
                     f"numprocs={HTTP_WORKERS}\nprocess_name=%(program_name)s_%(process_num)d\nautorestart=true\n"
                     f"environment=BENCH_LISTEN_FD=\"0\",BENCH_READY_SOCKET=\"{redis.socket}\"\n")
        conf.write_text(text)
        self.proc = Proc("peers-supervisord", ["supervisord", "-n", "-c", conf], logdir=ctx.logdir)
        self.pid = self.proc.pid
        self.leftovers = []
        Proc.cleanups.append(self.stop)

    def rpc(self):
        socket_path = str(self.socket)

        class UnixConnection(http.client.HTTPConnection):
            def connect(self):
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(socket_path)

        class UnixTransport(xmlrpc.client.Transport):
            def make_connection(self, host):
                return UnixConnection("localhost")
        return xmlrpc.client.ServerProxy("http://localhost", transport=UnixTransport())

    def worker_pids(self):
        return descendants_of(self.pid)

    def restart_each(self, ready):
        """No rolling reload in supervisord: each program of the pool in
        turn is stopped (SIGTERM, waited for) and started again, and the
        next only once the new process announced it listens."""
        server = self.rpc()
        for i in range(HTTP_WORKERS):
            mark = ready.mark()
            server.supervisor.stopProcess(f"http:http_{i}", True)
            server.supervisor.startProcess(f"http:http_{i}", False)
            ready.wait(mark, 1, 60, f"supervisord: restart of http_{i}")

    def stop(self):
        if self.proc.alive():
            self.leftovers = self.worker_pids()
            try:
                self.rpc().supervisor.shutdown()
                self.proc.wait(30)
            except Exception:
                pass  # stopped by its pid below
        self.proc.stop()
        kill_leftovers(self.leftovers)
        if self.stop in Proc.cleanups:
            Proc.cleanups.remove(self.stop)


class Pm2:
    name = "pm2"

    def __init__(self, ctx, redis, workload, cli, port=None):
        self.ctx, self.cli = ctx, cli
        self.home = ctx.build / "peers" / "pm2-home"
        self.env = {**os.environ, "PM2_HOME": str(self.home)}
        self.leftovers = []
        self.stop()  # a daemon an interrupted run may have left in this home
        shutil.rmtree(self.home, ignore_errors=True)
        self.home.mkdir(parents=True)
        logs = Path(ctx.tmp) / f"pm2-logs-{Proc.counter}"
        logs.mkdir()
        if workload == "idle":
            app = {"name": "worker", "script": str(ctx.exe("bench-qtbare")), "interpreter": "none",
                   "args": [f"--redis={redis.url}", "--subscribe=bench:work", "--announce=bench:ready"],
                   "exec_mode": "fork", "instances": WORKERS, "autorestart": True}
        else:
            # Cluster mode: PM2's master (Node's cluster module) shares the port.
            app = {"name": "http", "script": str(Path(__file__).parent / "peers-http.js"), "exec_mode": "cluster",
                   "instances": HTTP_WORKERS, "autorestart": True,
                   "env": {"BENCH_PORT": str(port), "BENCH_READY_SOCKET": str(redis.socket)}}
        app.update(out_file=str(logs / "out.log"), error_file=str(logs / "err.log"))
        self.ecosystem = logs / "ecosystem.json"
        self.ecosystem.write_text(json.dumps({"apps": [app]}))
        Proc.cleanups.append(self.stop)
        self.command(["start", self.ecosystem])
        self.pid = int((self.home / "pm2.pid").read_text())

    def command(self, argv, timeout=120):
        cmd = Proc("peers-pm2-cli", ["node", self.cli, *argv], logdir=self.ctx.logdir, env=self.env)
        code = cmd.wait(timeout)
        cmd.stop()
        if code != 0:
            raise BenchError(f"pm2 {' '.join(map(str, argv))} failed (exit code {code}); see {cmd.errpath}")

    def worker_pids(self):
        return descendants_of(self.pid)

    def reload(self):
        self.command(["reload", "http"])

    def stop(self):
        pid_file = self.home / "pm2.pid"
        if pid_file.exists():
            try:
                daemon = int(pid_file.read_text())
            except ValueError:
                daemon = None
            if daemon:
                self.leftovers = [daemon, *descendants_of(daemon)]
            subprocess.run(["node", self.cli, "kill"], env=self.env, capture_output=True, timeout=60)
        kill_leftovers(self.leftovers)
        if self.stop in Proc.cleanups:
            Proc.cleanups.remove(self.stop)


# --------------------------------------------------------------------------
# The workloads

def session(ctx, redis, ready, manager, pm2_cli, rep):
    """Startup of 32 workers to all ready, respawn-to-ready after SIGKILL of
    one, the manager's RSS and the idle CPU of manager, workers and Redis."""
    mark = ready.mark()
    t0 = time.monotonic_ns()
    if manager == "clustr":
        daemon, seconds = start_cluster(ctx, redis, WORKERS, f"bench-peers-{rep}")
        pid, startup_ms = daemon.pid, seconds * 1000
    else:
        peer = Supervisord(ctx, redis, "idle") if manager == "supervisord" else Pm2(ctx, redis, "idle", pm2_cli)
        pid = peer.pid
        t1, _ = ready.wait(mark, WORKERS, 120, f"{manager}: startup")
        startup_ms = (t1 - t0) / 1e6
    try:
        program = "bench-minimal-worker" if manager == "clustr" else "bench-qtbare"
        workers = [p for p in descendants_of(pid) if program_of(p) == program]
        if len(workers) != WORKERS:
            raise BenchError(f"{manager}: {len(workers)} worker processes, not {WORKERS}")
        victim = workers[len(workers) // 2]
        mark = ready.mark()
        killed = time.monotonic_ns()
        os.kill(victim, signal.SIGKILL)
        if manager == "clustr":
            _, m = daemon.wait_for(rf"respawned minimal pid {victim} -> (\d+)", 60)
            t1, _ = daemon.wait_for(rf"registered minimal pid {m.group(1)}\b", 60)
        else:
            t1, _ = ready.wait(mark, 1, 60, f"{manager}: respawn", exclude=workers)
        respawn_ms = (t1 - killed) / 1e6
        time.sleep(SETTLE_S)
        rss = rss_of(pid).get("rss", 0) / 1024
        before = cpu_snapshot(pid, program, [redis.proc.pid])
        time.sleep(ctx.args.idle_seconds)  # the window: the cluster idles
        after = cpu_snapshot(pid, program, [redis.proc.pid])
        idle = cpu_per_minute(before, after, WORKERS, f"{manager}: idle")
    finally:
        if manager == "clustr":
            daemon.stop(signal.SIGTERM, timeout=60)
        else:
            peer.stop()
    return {"startup_ms": startup_ms, "respawn_ms": respawn_ms, "rss_mib": rss, "idle": idle}


def wrk_under(ctx, port, mode, trigger):
    """wrk on the pool for --reload-seconds; after 1 s, trigger() (the
    reload): wrk's result and the reload's duration in ms."""
    load_end = time.monotonic_ns() + ctx.args.reload_seconds * 1000000000
    wrk = Proc(f"peers-wrk-{mode}", wrk_argv(ctx.args.reload_seconds, port, mode), logdir=ctx.logdir)
    try:
        time.sleep(1.0)  # under load before the reload begins
        t0 = time.monotonic_ns()
        trigger()
        t1 = time.monotonic_ns()
        duration = (t1 - t0) / 1e6
        wrk.wait(ctx.args.reload_seconds + 30)
        text = "\n".join(line for _, line in wrk.all_lines())
    finally:
        wrk.stop()
    result = parse_wrk(text)
    result.update(duration_ms=duration, load_covered=t1 <= load_end)
    return result


def peer_reload(ctx, redis, ready, manager, pm2_cli, mode):
    port = free_port()
    mark = ready.mark()
    if manager == "supervisord":
        peer = Supervisord(ctx, redis, "http", port=port)
    else:
        peer = Pm2(ctx, redis, "http", pm2_cli, port=port)
    try:
        ready.wait(mark, HTTP_WORKERS, 60, f"{manager}: HTTP workers")
        if manager == "supervisord":
            return wrk_under(ctx, port, mode, lambda: peer.restart_each(ready))
        return wrk_under(ctx, port, mode, peer.reload)
    finally:
        peer.stop()


# --------------------------------------------------------------------------
# The table

def cell(values, unit):
    return fmt_summary(summary(values), unit)


def load_range(loads):
    values = [float(v) for pair in loads for side in pair for v in side[:1]]
    return f"{min(values):.1f}-{max(values):.1f}" if values else "-"


def table(runs, loads, reps, info):
    lines = ["| workload | clustr-qt | supervisord | PM2 | load (1 min) |", "|---|---|---|---|---|"]

    def row(label, key, unit, workload, pick=lambda r, k: r[k]):
        cells = [cell([pick(r, key) for r in runs[m]["session"]], unit) for m in MANAGERS]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {load_range(loads[workload])} |")
    row(f"startup: {WORKERS} workers to all ready (ms)", "startup_ms", "ms", "session")
    row("respawn to ready after SIGKILL of one worker (ms)", "respawn_ms", "ms", "session")
    row(f"manager RSS with {WORKERS} workers (MiB)", "rss_mib", "MiB", "session")
    for key, label in (("manager", "manager"), ("workers", f"all {WORKERS} workers"), ("others", "redis-server"),
                       ("total", "in all")):
        row(f"idle CPU per 60 s: {label} (ms)", key, "ms", "session", pick=lambda r, k: r["idle"][k])
    for mode, label in (("keepalive", "keep-alive"), ("close", "Connection: close")):
        failed = []
        for m in MANAGERS:
            rs = runs[m][mode]
            failed.append(f"{sum(r['failed'] for r in rs)} of {sum(r['requests'] for r in rs)}")
        lines.append(f"| reload under wrk ({label}): failed requests | " + " | ".join(failed)
                     + f" | {load_range(loads[mode])} |")
        cells = [cell([r["duration_ms"] for r in runs[m][mode]], "ms") for m in MANAGERS]
        lines.append(f"| reload under wrk ({label}): duration (ms) | " + " | ".join(cells)
                     + f" | {load_range(loads[mode])} |")
    outlasted = [f"{LABELS[m]} {sum(not r['load_covered'] for r in runs[m][mode])} of {len(runs[m][mode])} "
                 f"({mode})" for m in MANAGERS for mode in ("keepalive", "close")
                 if any(not r["load_covered"] for r in runs[m][mode])]
    if outlasted:
        lines.append("")
        lines.append("Reloads that outlasted wrk's load (their failures and duration are not comparable; a longer "
                     "`--reload-seconds` helps): " + ", ".join(outlasted) + ".")
    head = (f"`bench/run --peers --peers-reps {reps} --idle-seconds {info['idle_seconds']} "
            f"--reload-seconds {info['reload_seconds']}`, "
            f"{time.strftime('%Y-%m-%d %H:%M')}: PM2 {info['pm2']}, supervisord {info['supervisord']}, "
            f"node {info['node']}; {reps} repetition{'' if reps == 1 else 's'}, the managers alternating (median [min-max]); "
            f"load averages (1 min) from before to after each workload's runs in the last column.")
    return head + "\n\n" + "\n".join(lines) + "\n"


def write_docs(root, text):
    path = root / "docs" / "BENCHMARKS.md"
    doc = path.read_text()
    begin, end = doc.find(MARK_BEGIN), doc.find(MARK_END)
    if begin < 0 or end < begin:
        raise BenchError(f"{path} has no markers {MARK_BEGIN} ... {MARK_END}")
    path.write_text(doc[:begin + len(MARK_BEGIN)] + "\n" + text + doc[end:])
    return path


def run(ctx, root, clustr_reload):
    """The peers' comparison; clustr_reload(ctx, redis, mode) is the reload
    figure's own run of the HTTP example. Returns the results for the JSON."""
    for tool in ("wrk", "node"):
        if not shutil.which(tool):
            raise BenchError(f"--peers needs {tool} (apt-get install {tool if tool == 'wrk' else 'nodejs'})")
    pm2_cli = install_pm2(ctx)
    ensure_supervisord(ctx)
    info = {**versions(pm2_cli), "idle_seconds": ctx.args.idle_seconds, "reload_seconds": ctx.args.reload_seconds}
    raise_fd_limit(1024)
    reps = ctx.args.peers_reps
    runs = {m: {"session": [], "keepalive": [], "close": []} for m in MANAGERS}
    loads = {"session": [], "keepalive": [], "close": []}
    redis = Redis(ctx, "peers")
    ready = ReadyListener(redis)
    try:
        for rep in range(reps):
            for manager in manager_order(rep):
                before = loadavg()
                r = session(ctx, redis, ready, manager, pm2_cli, rep)
                loads["session"].append((before, loadavg()))
                runs[manager]["session"].append(r)
                ctx.progress(f"peers rep {rep + 1} {LABELS[manager]}: startup {r['startup_ms']:.0f} ms, respawn "
                             f"{r['respawn_ms']:.0f} ms, RSS {r['rss_mib']:.1f} MiB, idle per 60 s: manager "
                             f"{r['idle']['manager']:.0f} ms, workers {r['idle']['workers']:.0f} ms, "
                             f"redis {r['idle']['others']:.0f} ms")
            for mode in (["keepalive", "close"] if rep % 2 == 0 else ["close", "keepalive"]):
                for manager in manager_order(rep):
                    before = loadavg()
                    if manager == "clustr":
                        r = clustr_reload(ctx, redis, mode)
                    else:
                        r = peer_reload(ctx, redis, ready, manager, pm2_cli, mode)
                    loads[mode].append((before, loadavg()))
                    runs[manager][mode].append({k: v for k, v in r.items() if k in
                                                ("failed", "requests", "duration_ms", "load_covered", "connect",
                                                 "read", "write", "timeout", "non2xx")})
                    ctx.progress(f"peers rep {rep + 1} reload {mode} {LABELS[manager]}: {r['failed']} failed of "
                                 f"{r['requests']}, {r['duration_ms']:.0f} ms"
                                 + ("" if r["load_covered"] else " (the load ended before the reload)"))
    finally:
        ready.close()
        redis.stop()
    text = table(runs, loads, reps, info)
    print("\n" + text)
    path = write_docs(root, text)
    print(f"peers: table written into {path}")
    return {"versions": info, "reps": reps, "runs": runs, "load": loads}
