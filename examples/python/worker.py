#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A clustr-qt worker in Python, written from docs/PROTOCOL.md alone.

It needs nothing of clustr-qt, only Redis: Debian's python3-redis (redis-py 4)
and the standard library. It does a worker's duties in the order of
PROTOCOL.md section 12 ("Writing a worker in another language"):

1. reads its settings: --cluster-master-pid, --cluster-namespace,
   --cluster-redis (else CLUSTR_REDIS), and its group from CLUSTR_GROUP;
2. subscribes to its channels and waits until Redis confirmed them all;
3. sends a heartbeat, then registers with the master;
4. sends a heartbeat every second (so `clustr-qt status` knows its CPUs,
   memory, CPU use and counters);
5. answers a kill: deregisters and exits with the kill's exit code.

On top of that it shows every kind of message (the example's own rules,
not the protocol's): a ping ({"ping": X}) is answered the way it came --
privately to the sender, to the sender's group, or publicly -- with
{"pong": X, "from": "python"}; {"confirm": ID} makes it publish confirmation
ID; {"await": ID, "count": N} makes it count confirmations ID and print
who sent them once N arrived (clustr-qt's onConfirmation). It asks the
master for cluster info once registered and prints the answer.

Every line it prints starts with "python worker <pid>: ".
"""

import datetime
import json
import os
import re
import signal
import socket
import sys
import time
import urllib.parse

import redis

LANGUAGE = "python"
HEARTBEAT_INTERVAL = 1.0  # seconds; the master gives up after heartbeatTimeout (3.5 s)
MAX_PAYLOAD = 1024 * 1024  # bytes, as clustr-qt's default
MAX_PID = 2 ** 53
COUNTERS = (
    "emitPublic", "emitPrivate", "emitGroup", "emitKill", "emitConfirmation",
    "onMessage", "onPublic", "onGroup", "onPrivate", "spawnChildProcess",
    "respawnChildProcess", "receivedConfirmations", "successfulConfirmations",
    "rejectedMessages", "droppedMessages",
)


def options(argv):
    """--key=value and --flag ("true"); the last one wins; nothing after a lone --."""
    result = {}
    for argument in argv[1:]:
        if argument == "--":
            break
        if not argument.startswith("--") or argument.startswith("--="):
            continue
        key, equals, value = argument[2:].partition("=")
        result[key] = value if equals else "true"
    return result


def connection_settings(url):
    """redis://[[user]:password@]host[:port][/db] or unix:///path[?password=&user=&db=]."""
    parts = urllib.parse.urlsplit(url)
    unquote = urllib.parse.unquote
    if parts.scheme.lower() == "unix":
        query = {}
        for item in parts.query.split("&"):  # not parse_qs: a '+' stays a '+'
            key, _, value = item.partition("=")
            query.setdefault(unquote(key), unquote(value))
        return {"unix_socket_path": unquote(parts.path), "username": query.get("user") or None,
                "password": query.get("password") or None, "db": int(query.get("db") or 0)}
    if parts.scheme.lower() != "redis":
        raise ValueError("the Redis URL must start with redis:// or unix://, not %r" % url)
    return {"host": parts.hostname or "127.0.0.1", "port": parts.port or 6379,
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password is not None else None,
            "db": int(parts.path.lstrip("/") or 0)}


def utc_now():
    """ISO 8601 in UTC with milliseconds, as clustr-qt writes times."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)


def compact(value):
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def valid_pid(value):
    """An integer from 1 to 2^53, as a JSON number or a string of decimal digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and 1 <= value <= MAX_PID else None


def decode(payload):
    """The envelope {"meta": {"pid", "group"}, "data"}, checked as PROTOCOL.md section 1 says."""
    if len(payload) > MAX_PAYLOAD:
        raise ValueError("payload of %d bytes exceeds the limit of %d bytes" % (len(payload), MAX_PAYLOAD))
    try:
        message = json.loads(payload.decode("utf-8"), parse_constant=reject_constant)
    except (UnicodeDecodeError, ValueError) as error:
        raise ValueError("payload is not valid JSON: %s" % error)
    if not isinstance(message, dict):
        raise ValueError("payload is not a JSON object")
    meta = message.get("meta")
    if not isinstance(meta, dict):
        raise ValueError("meta is missing or not an object")
    pid = valid_pid(meta.get("pid"))
    if pid is None:
        raise ValueError("meta.pid is not an integer between 1 and 2^53")
    if not isinstance(meta.get("group"), str):
        raise ValueError("meta.group is not a string")
    return pid, meta["group"], message.get("data")


def exit_code(data):
    """A kill's data: 0..255, as a JSON number or a string of up to three digits."""
    if isinstance(data, str) and re.fullmatch(r"[0-9]{1,3}", data):
        data = int(data)
    if isinstance(data, float) and data.is_integer():
        data = int(data)
    if isinstance(data, int) and not isinstance(data, bool) and 0 <= data <= 255:
        return data
    raise ValueError("a kill's data must be an exit code from 0 to 255")


class Leave(Exception):
    """Raised to leave the main loop: deregister and exit with `code`."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


class Worker:
    def __init__(self):
        opts = options(sys.argv)
        self.pid = os.getpid()
        self.group = os.environ.get("CLUSTR_GROUP") or LANGUAGE
        self.master_pid = int(opts.get("cluster-master-pid") or 0)
        namespace = opts.get("cluster-namespace", "")
        self.prefix = namespace + ":" if namespace else ""
        url = opts.get("cluster-redis") or os.environ.get("CLUSTR_REDIS") or "redis://127.0.0.1:6379"
        settings = connection_settings(url)
        # Two connections: one that subscribes may do nothing else.
        self.publisher = redis.Redis(**settings)
        self.subscriber = redis.Redis(**settings).pubsub()
        self.stats = dict.fromkeys(COUNTERS, 0)
        self.registered = False
        self.started_at = utc_now()
        self.last_cpu = None  # (cpu seconds, monotonic time) at the previous heartbeat
        self.awaiting = {}  # confirmation id -> {"count": n, "pids": [...]}
        self.signalled = None

    def say(self, text):
        print("%s worker %d: %s" % (LANGUAGE, self.pid, text), flush=True)

    # Sending

    def publish(self, channel, data):
        # As clustr-qt writes it: meta first, then data (any order would do).
        meta = json.dumps({"pid": self.pid, "group": self.group}, separators=(",", ":"), ensure_ascii=False)
        return self.publisher.publish(self.prefix + channel, '{"meta":%s,"data":%s}' % (meta, compact(data)))

    def emit_public(self, data):
        self.stats["emitPublic"] += 1
        self.publish("public", data)

    def emit_private(self, pid, data):
        self.stats["emitPrivate"] += 1
        self.publish("private:%d" % pid, data)

    def emit_group(self, group, data):
        self.stats["emitGroup"] += 1
        self.publish("group:" + group, data)

    def emit_confirmation(self, identifier):
        self.stats["emitConfirmation"] += 1
        self.publish("confirmation", identifier)

    # Joining and leaving

    def subscribe(self):
        own = ["public", "private:%d" % self.pid, "group:" + self.group, "kill:%d" % self.pid,
               "confirmation", "clusterInfo:%d" % self.pid]
        self.subscriber.subscribe(*[self.prefix + name for name in own])
        # Nobody may message us before Redis confirmed every subscription.
        confirmed = 0
        while confirmed < len(own):
            reply = self.subscriber.get_message(timeout=5.0)
            if reply is None:
                raise RuntimeError("Redis did not confirm the subscriptions")
            if reply["type"] == "subscribe":
                confirmed += 1
            elif reply["type"] == "message":
                self.handle(reply["channel"], reply["data"])

    def register(self):
        if not self.master_pid:
            self.say("no --cluster-master-pid: not registering")
            return
        self.registered = True
        # The heartbeat first, on the same connection: the master knows us before it counts us.
        self.heartbeat()
        self.publish("registration:%d" % self.master_pid, "registration")
        self.say("registered as %s with master %d" % (self.group, self.master_pid))
        self.publish("clusterInfo:%d" % self.master_pid, "clusterInfo")

    def leave(self, code):
        # No heartbeat after the deregistration: it would register us again.
        try:
            if self.registered:
                self.registered = False
                self.publish("deregistration:%d" % self.master_pid, "deregistration")
            self.subscriber.close()
            self.publisher.close()
        except redis.RedisError as error:
            self.say("could not say goodbye: %s" % error)
        self.say("left with exit code %d" % code)
        sys.exit(code)

    # Heartbeats

    def heartbeat(self):
        if not self.master_pid:
            return
        beat = {"ppid": os.getppid(), "ready": self.registered, "host": socket.gethostname(),
                "startedAt": self.started_at, "sentAt": utc_now(), "children": [],
                "stats": self.stats}
        beat.update(self.resources())
        self.publish("heartbeat:%d" % self.master_pid, beat)

    def resources(self):
        """cpus, rss and cpu: what `clustr-qt status` shows as CPUS, RSS and CPU%."""
        result = {}
        with open("/proc/self/status") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key == "Cpus_allowed_list":
                    result["cpus"] = value.strip()
                elif key == "VmRSS":
                    result["rss"] = int(value.split()[0]) * 1024
        times = os.times()
        cpu_seconds, now = times.user + times.system, time.monotonic()
        # The first heartbeat has nothing to compare with: "cpu" is left out (unknown).
        if self.last_cpu is not None and now > self.last_cpu[1]:
            result["cpu"] = round(100.0 * (cpu_seconds - self.last_cpu[0]) / (now - self.last_cpu[1]), 2)
        self.last_cpu = (cpu_seconds, now)
        return result

    # Receiving

    def handle(self, channel, payload):
        channel = channel.decode("utf-8", "replace")
        name = channel[len(self.prefix):]
        try:
            pid, group, data = decode(payload)
            if name == "kill:%d" % self.pid:
                code = exit_code(data)
            elif name == "confirmation" and not isinstance(data, str):
                raise ValueError("a confirmation's data must be an identifier string")
        except ValueError as error:
            self.stats["rejectedMessages"] += 1
            self.say("rejected a message on %s: %s" % (channel, error))
            return
        kind = name.split(":")[0]
        if kind == "clusterInfo":
            if isinstance(data, dict):  # an answer (our own request is not sent here)
                self.stats["onMessage"] += 1
                self.say("cluster info " + compact(data))
            return
        self.stats["onMessage"] += 1
        if kind == "kill":
            self.say("kill from %s %d: leaving with exit code %d" % (group, pid, code))
            raise Leave(code)
        if kind == "confirmation":
            self.stats["receivedConfirmations"] += 1
            self.confirmed(pid, data)
            return
        self.stats["on" + kind.capitalize()] += 1
        self.say("%s message from %s %d: %s" % (kind, group, pid, compact(data)))
        if isinstance(data, dict):
            self.obey(kind, pid, group, data)

    def obey(self, kind, pid, group, data):
        """The example's own requests: ping, confirm, await."""
        if "ping" in data:
            pong = {"pong": data["ping"], "from": LANGUAGE}
            if kind == "private":
                self.emit_private(pid, pong)
            elif kind == "group":
                self.emit_group(group, pong)
            else:
                self.emit_public(pong)
        if isinstance(data.get("confirm"), str):
            self.emit_confirmation(data["confirm"])
        count = data.get("count", 1)
        if isinstance(data.get("await"), str) and isinstance(count, int) and count >= 1:
            self.awaiting[data["await"]] = {"count": count, "pids": []}

    def confirmed(self, pid, identifier):
        waiting = self.awaiting.get(identifier)
        if waiting is None:
            return
        waiting["pids"].append(pid)
        if len(waiting["pids"]) < waiting["count"]:
            return
        self.stats["successfulConfirmations"] += 1
        self.say("confirmation %s completed by %s" % (compact(identifier), " ".join(map(str, waiting["pids"]))))
        waiting["pids"] = []  # counting starts again

    # The loop

    def on_signal(self, signum, frame):
        self.signalled = signum

    def run(self):
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)
        try:
            self.subscribe()
            self.register()
            next_beat = time.monotonic() + HEARTBEAT_INTERVAL
            while self.signalled is None:
                reply = self.subscriber.get_message(timeout=max(0.0, next_beat - time.monotonic()))
                if reply is not None and reply["type"] == "message":
                    self.handle(reply["channel"], reply["data"])
                if time.monotonic() >= next_beat:
                    self.heartbeat()
                    next_beat = time.monotonic() + HEARTBEAT_INTERVAL
            # Stopped by a signal (by hand; a cluster stops its workers with a kill).
            raise Leave(128 + self.signalled)
        except Leave as leave:
            self.leave(leave.code)
        except redis.RedisError as error:
            # Without Redis there is no cluster to work in: exit with 1, and
            # the spawner starts us again (with a backoff if it keeps happening).
            self.say("Redis failed: %s" % error)
            sys.exit(1)


if __name__ == "__main__":
    Worker().run()
