# SPDX-License-Identifier: MIT
"""What bench/run and its peers' comparison (bench/peers.py) share: the
registry of started processes, private redis-servers, statistics, the
results table and what /proc says about a process."""

import ctypes
import ctypes.util
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

class BenchError(Exception):
    pass


# --------------------------------------------------------------------------
# Processes: every one we start is registered, so all are stopped on any exit.

class Proc:
    """A started program whose stdout lines are read (and timestamped with
    CLOCK_MONOTONIC, the clock the bench programs print) by a thread."""

    registry = []
    cleanups = []  # callables that stop what was started by other means (a daemon that detaches)
    counter = 0

    def __init__(self, name, argv, cpu=None, logdir=None, env=None, group=False):
        """group: the program starts others (a shell loop) and stopping it
        means stopping its whole process group."""
        Proc.counter += 1
        self.name = name
        self.group = group
        full = (["taskset", "-c", str(cpu)] if cpu is not None else []) + [str(a) for a in argv]
        self.errpath = Path(logdir) / f"{Proc.counter:04d}-{name}.stderr" if logdir else None
        err = open(self.errpath, "wb") if self.errpath else subprocess.DEVNULL
        # A session of its own: Ctrl-C reaches only us, and we stop the
        # process (and what it forked) ourselves, in order.
        self.popen = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                                      start_new_session=True, env=env)
        if err is not subprocess.DEVNULL:
            err.close()
        self.pid = self.popen.pid  # taskset execs the program: this is its pid
        self.lines = []
        self.cursor = 0
        self.eof = False
        self.cond = threading.Condition()
        Proc.registry.append(self)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for raw in iter(self.popen.stdout.readline, b""):
            stamp = time.monotonic_ns()
            with self.cond:
                self.lines.append((stamp, raw.decode(errors="replace").rstrip("\n")))
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def wait_for(self, pattern, timeout):
        """The first line after the previous match that matches: (time_ns, match)."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                while self.cursor < len(self.lines):
                    stamp, text = self.lines[self.cursor]
                    self.cursor += 1
                    m = rx.search(text)
                    if m:
                        return stamp, m
                if self.eof:
                    raise BenchError(f"{self.name} ended (exit code {self.popen.poll()}) before printing "
                                     f"/{pattern}/; its stderr: {self.errpath}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BenchError(f"{self.name} did not print /{pattern}/ within {timeout} s; "
                                     f"its stderr: {self.errpath}")
                self.cond.wait(left)

    def all_lines(self):
        with self.cond:
            return list(self.lines)

    def alive(self):
        return self.popen.poll() is None

    def wait(self, timeout):
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise BenchError(f"{self.name} did not exit within {timeout} s")

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Signal, wait, and SIGKILL the process group if it does not end."""
        if self.alive():
            try:
                if self.group:
                    os.killpg(self.pid, sig)
                else:
                    self.popen.send_signal(sig)
                self.popen.wait(timeout)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                pass
        if self.alive() or self.group:  # a group's other members may outlive its leader
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.popen.wait(5)
        self.thread.join(2)
        if self in Proc.registry:
            Proc.registry.remove(self)
            if self.errpath:
                # What it printed, with the time each line was read (ms since the first).
                lines = self.all_lines()
                origin = lines[0][0] if lines else 0
                self.errpath.with_suffix(".stdout").write_text(
                    "".join(f"{(stamp - origin) / 1e6:10.3f} {text}\n" for stamp, text in lines))

    @classmethod
    def stop_all(cls):
        for cleanup in reversed(list(cls.cleanups)):
            try:
                cleanup()
            except Exception as error:  # keep stopping the others
                print(f"bench: could not clean up: {error}", file=sys.stderr)
        cls.cleanups.clear()
        for proc in reversed(list(cls.registry)):
            try:
                proc.stop(timeout=5)
            except Exception as error:  # keep stopping the others
                print(f"bench: could not stop {proc.name} ({proc.pid}): {error}", file=sys.stderr)


class Redis:
    """A private redis-server: unix socket (or loopback TCP), no persistence.
    tcp: a loopback port whatever --tcp says (sentinels and replicas need one);
    config: the text of a configuration file written for it (a sentinel
    rewrites its own); extra: more arguments; pinned: on --redis-cpu (six
    cluster nodes on one CPU under load miss each other's pings and fail over)."""

    def __init__(self, ctx, name, tcp=None, config=None, extra=(), pinned=True):
        self.dir = Path(tempfile.mkdtemp(prefix=f"redis-{name}-", dir=ctx.tmp))
        self.socket = self.dir / "redis.sock"
        tcp = ctx.args.tcp if tcp is None else tcp
        self.port = free_port() if tcp else 0
        argv = ["redis-server"]
        if config is not None:
            (self.dir / "redis.conf").write_text(config)
            argv.append(str(self.dir / "redis.conf"))
        argv += [*extra, "--port", str(self.port), "--bind", "127.0.0.1",
                "--unixsocket", str(self.socket), "--unixsocketperm", "700",
                "--save", "", "--appendonly", "no", "--dir", str(self.dir),
                # A subscriber that falls behind is buffered, not disconnected:
                # the figures measure delivery, not Redis' protection against slow clients.
                "--client-output-buffer-limit", "pubsub 0 0 0",
                "--maxclients", "4096", "--daemonize", "no", "--loglevel", "warning"]
        self.proc = Proc(f"redis-{name}", argv, cpu=ctx.redis_cpu if pinned else None, logdir=ctx.logdir)
        self._wait_ready()
        self.url = f"redis://127.0.0.1:{self.port}" if tcp else f"unix://{self.socket}"

    def _wait_ready(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if not self.proc.alive():
                raise BenchError(f"redis-server exited; see {self.proc.errpath}")
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(1)
                    s.connect(str(self.socket))
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.02)
        raise BenchError("redis-server did not answer within 10 s")

    def stop(self):
        self.proc.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def start_cluster(ctx, redis, workers, name):
    """`clustr-qt run` with `workers` bench-minimal-workers on `redis`: the
    running daemon and the seconds from its start to "cluster started"."""
    cluster = Path(ctx.tmp) / f"{name}.json"
    cluster.write_text(json.dumps({"name": name, "workers": [
        {"file": str(ctx.exe("bench-minimal-worker")), "group": "minimal", "instances": workers}]}))
    t0 = time.monotonic_ns()
    daemon = Proc(f"{name}-clustr-{workers}", [ctx.exe("clustr-qt"), "run", cluster, "--redis", redis.url],
                  logdir=ctx.logdir)
    try:
        t1, _ = daemon.wait_for(rf"cluster started: {workers} workers?\b", 120 + workers // 4)
    except BaseException:
        daemon.stop()
        raise
    return daemon, (t1 - t0) / 1e9


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# Statistics and reporting

def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values),
            "samples": values}


def fmt(value, unit):
    if value is None:
        return "-"
    if unit == "msg/s":
        return f"{value / 1000:.0f}k"
    if unit == "us":
        return f"{value:.1f}"
    if unit == "ms":
        return f"{value:.1f}" if value < 100 else f"{value:.0f}"
    if unit == "MiB":
        return f"{value:.1f}"
    if unit == "Ir":
        return f"{value:,.0f}"
    if unit == "x":
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def fmt_summary(s, unit):
    if not s:
        return "-"
    if s["min"] == s["max"]:
        return f"{fmt(s['median'], unit)} {unit}"
    return f"{fmt(s['median'], unit)} [{fmt(s['min'], unit)}-{fmt(s['max'], unit)}] {unit}"


class Results:
    def __init__(self):
        self.rows = []     # printed table
        self.figures = {}  # JSON

    def row(self, figure, clustr, baseline, unit, ratio=None, target="-", met=None, note=""):
        self.rows.append({
            "figure": figure,
            "clustr": fmt_summary(clustr, unit) if isinstance(clustr, dict) else (clustr or "-"),
            "baseline": fmt_summary(baseline, unit) if isinstance(baseline, dict) else (baseline or "-"),
            "ratio": fmt_summary(ratio, "x") if isinstance(ratio, dict) else (ratio or "-"),
            "target": target,
            "met": "-" if met is None else ("yes" if met else "NO"),
            "note": note,
        })

    def print_table(self):
        headers = ["figure", "clustr-qt", "baseline", "ratio", "target", "met?"]
        keys = ["figure", "clustr", "baseline", "ratio", "target", "met"]
        widths = [max(len(h), *(len(r[k]) for r in self.rows)) for h, k in zip(headers, keys)] if self.rows else []
        line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
        print()
        print(line)
        print("  ".join("-" * w for w in widths))
        for r in self.rows:
            print("  ".join(r[k].ljust(w) for k, w in zip(keys, widths)))
            if r["note"]:
                print("    " + r["note"])


# --------------------------------------------------------------------------
# The machine

def machine_info(ctx):
    def run(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip()
        except Exception:
            return ""
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "qt": run(["pkg-config", "--modversion", "Qt6Core"]) or run(["qtpaths6", "--qt-version"]),
        "hiredis": run(["pkg-config", "--modversion", "hiredis"]),
        "redis": run(["redis-server", "--version"]),
        "compiler": run(["c++", "--version"]).splitlines()[0] if run(["c++", "--version"]) else "",
        "wrk": (run(["wrk", "--version"]) or "").splitlines()[0] if shutil.which("wrk") else "not installed",
        "loadavg_start": Path("/proc/loadavg").read_text().split()[:3],
    }


def loadavg():
    return Path("/proc/loadavg").read_text().split()[:3]


def children_of(pid):
    """The children of every thread of the process (a Node or Qt program may fork from any)."""
    out = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return out
    for task in tasks:
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return sorted(set(out))


def descendants_of(pid):
    out, todo = [], [pid]
    while todo:
        kids = children_of(todo.pop())
        out += kids
        todo += kids
    return out


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def cpu_ms(pid):
    """CPU time of the process (all its threads, ended ones included) in ms,
    or None once it is gone. Read from the process' CPU-time clock, which the
    kernel keeps in nanoseconds: /proc/PID/stat gives the same time cut to
    whole 10 ms clock ticks, too coarse for an idle process (a 30 s window
    would read 20 or 40 ms per 60 s for the same few ms)."""
    clock = ctypes.c_int()
    now = _Timespec()
    if _libc.clock_getcpuclockid(pid, ctypes.byref(clock)) == 0 and \
            _libc.clock_gettime(clock, ctypes.byref(now)) == 0:
        return now.tv_sec * 1000 + now.tv_nsec / 1e6
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # the name may hold spaces; field 3 (state) is fields[0]
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def program_of(pid):
    try:
        return Path(Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")).name
    except OSError:
        return None


def cpu_snapshot(manager, program, others=()):
    """CPU ms at one moment of a manager, of each of its descendants that
    runs `program` (its workers), of its other descendants (helpers, such
    as the master's watchdog shell, counted as the manager's) and of each
    process in others (a redis-server)."""
    workers, helpers = {}, {}
    for pid in descendants_of(manager):
        ms = cpu_ms(pid)
        if ms is not None:
            (workers if program_of(pid) == program else helpers)[pid] = ms
    return {"manager": cpu_ms(manager), "workers": workers, "helpers": helpers,
            "others": {pid: cpu_ms(pid) for pid in others}, "at": time.monotonic()}


def cpu_per_minute(before, after, workers, what):
    """ms of CPU per 60 s between two snapshots of the same processes: the
    manager, its workers (summed) and the others. A worker that exited or
    appeared in between is an error: its CPU time would be lost or partial."""
    both = set(before["workers"]) | set(before["helpers"]), set(after["workers"]) | set(after["helpers"])
    gone, new = sorted(both[0] - both[1]), sorted(both[1] - both[0])
    if gone or new or len(before["workers"]) != workers:
        raise BenchError(f"{what}: the processes changed during the idle window ({len(before['workers'])} workers at "
                         f"its start, expected {workers}; gone: {gone or 'none'}, new: {new or 'none'})")
    if after["manager"] is None or any(ms is None for ms in after["others"].values()):
        raise BenchError(f"{what}: the manager or redis-server ended during the idle window")
    scale = 60 / (after["at"] - before["at"])
    helpers = sum(after["helpers"][p] - before["helpers"][p] for p in before["helpers"])
    out = {"manager": (after["manager"] - before["manager"] + helpers) * scale,
           "workers": sum(after["workers"][p] - before["workers"][p] for p in before["workers"]) * scale,
           "others": sum(after["others"][p] - before["others"][p] for p in before["others"]) * scale}
    out["total"] = out["manager"] + out["workers"] + out["others"]
    return out


def raise_fd_limit(needed):
    """Lift the soft limit of open files to at least `needed` (children
    inherit it): a master with hundreds of workers holds pipes for each."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise BenchError(f"{needed} open files are needed but the hard limit is {hard} (ulimit -Hn)")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def rss_of(pid):
    """VmRSS and the rollup of /proc/PID/smaps (KiB)."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out["rss"] = int(line.split()[1])
    except OSError:
        return out  # it is gone
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0].rstrip(":") in ("Pss", "Private_Clean", "Private_Dirty", "Shared_Clean"):
                out[parts[0].rstrip(":").lower()] = int(parts[1])
    except OSError:
        pass
    out["uss"] = out.get("private_clean", 0) + out.get("private_dirty", 0)
    return out


def status_kib(pid, field):
    """A field of /proc/PID/status in KiB (VmRSS, VmHWM), or None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def redis_command(redis, parts):
    """One command on the server's socket, by hand (so neither side's code
    sends it): the raw reply."""
    frame = f"*{len(parts)}\r\n".encode()
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode()
        frame += f"${len(data)}\r\n".encode() + data + b"\r\n"
    family = socket.AF_INET if redis.port else socket.AF_UNIX
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(60)
        s.connect(("127.0.0.1", redis.port) if redis.port else str(redis.socket))
        s.sendall(frame)
        reply = s.recv(1 << 20)
        if reply[:1] == b"$":  # a bulk: read to its end
            length = int(reply[1:reply.index(b"\r\n")])
            while len(reply) < reply.index(b"\r\n") + 2 + length + 2:
                reply += s.recv(1 << 20)
        return reply


def wrk_argv(seconds, port, mode):
    """wrk on 127.0.0.1:port, the reload figures' load: keep-alive, or mode
    "close" with a new connection per request."""
    argv = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "5s", f"http://127.0.0.1:{port}/"]
    if mode == "close":
        argv[1:1] = ["-H", "Connection: close"]
    return argv


def parse_wrk(text):
    out = {"requests": 0, "connect": 0, "read": 0, "write": 0, "timeout": 0, "non2xx": 0, "rps": None}
    m = re.search(r"(\d+) requests in", text)
    if m:
        out["requests"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        out.update(connect=int(m.group(1)), read=int(m.group(2)), write=int(m.group(3)), timeout=int(m.group(4)))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        out["non2xx"] = int(m.group(1))
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m:
        out["rps"] = float(m.group(1))
    out["failed"] = out["connect"] + out["read"] + out["write"] + out["timeout"] + out["non2xx"]
    return out
