#!/usr/bin/env node
// SPDX-License-Identifier: MIT
//
// A clustr-qt worker in Node.js, written from docs/PROTOCOL.md alone.
//
// It needs nothing of clustr-qt, only Redis: npm's `redis` client (v4, see
// package.json; `./install-modules` puts it into node_modules here). It does a
// worker's duties in the order of PROTOCOL.md section 12 ("Writing a worker
// in another language"):
//
// 1. reads its settings: --cluster-master-pid, --cluster-namespace,
//    --cluster-redis (else CLUSTR_REDIS), and its group from CLUSTR_GROUP;
// 2. subscribes to its channels and waits until Redis confirmed them all;
// 3. sends a heartbeat, then registers with the master;
// 4. sends a heartbeat every second (so `clustr-qt status` knows its CPUs,
//    memory, CPU use and counters);
// 5. answers a kill: deregisters and exits with the kill's exit code.
//
// On top of that it shows every kind of message (the example's own rules,
// not the protocol's): a ping ({"ping": X}) is answered the way it came --
// privately to the sender, to the sender's group, or publicly -- with
// {"pong": X, "from": "node"}; {"confirm": ID} makes it publish confirmation
// ID; {"await": ID, "count": N} makes it count confirmations ID and print who
// sent them once N arrived (clustr-qt's onConfirmation). It asks the master
// for cluster info once registered and prints the answer.
//
// Every line it prints starts with "node worker <pid>: ".
'use strict';

const fs = require('fs');
const os = require('os');
const { createClient } = require('redis');

const LANGUAGE = 'node';
const HEARTBEAT_INTERVAL_MS = 1000; // the master gives up after heartbeatTimeout (3.5 s)
const MAX_PAYLOAD = 1024 * 1024; // bytes, as clustr-qt's default
const MAX_PID = 2 ** 53;
const COUNTERS = [
    'emitPublic', 'emitPrivate', 'emitGroup', 'emitKill', 'emitConfirmation',
    'onMessage', 'onPublic', 'onGroup', 'onPrivate', 'spawnChildProcess',
    'respawnChildProcess', 'receivedConfirmations', 'successfulConfirmations',
    'rejectedMessages', 'droppedMessages',
];

// --key=value and --flag ("true"); the last one wins; nothing after a lone --.
function parseOptions(argv) {
    const result = {};
    for (const argument of argv.slice(2)) {
        if (argument === '--')
            break;
        if (!argument.startsWith('--') || argument.startsWith('--='))
            continue;
        const equals = argument.indexOf('=');
        if (equals < 0)
            result[argument.slice(2)] = 'true';
        else
            result[argument.slice(2, equals)] = argument.slice(equals + 1);
    }
    return result;
}

// redis://[[user]:password@]host[:port][/db] or unix:///path[?password=&user=&db=]
// as options of createClient().
function connectionSettings(text) {
    const url = new URL(text);
    const settings = { socket: { reconnectStrategy: false } };
    if (url.protocol === 'unix:') {
        // Not url.searchParams: a '+' stays a '+'; the first item of a name counts.
        const query = {};
        for (const item of url.search.slice(1).split('&')) {
            const [key, ...value] = item.split('=');
            if (!(decodeURIComponent(key) in query))
                query[decodeURIComponent(key)] = decodeURIComponent(value.join('='));
        }
        settings.socket.path = decodeURIComponent(url.pathname);
        if (query.user) settings.username = query.user;
        if (query.password) settings.password = query.password;
        settings.database = Number(query.db || 0);
    } else if (url.protocol === 'redis:') {
        settings.socket.host = url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
        settings.socket.port = Number(url.port || 6379);
        if (url.username) settings.username = decodeURIComponent(url.username);
        if (url.password) settings.password = decodeURIComponent(url.password);
        settings.database = Number(url.pathname.replace(/^\//, '') || 0);
    } else {
        throw new Error(`the Redis URL must start with redis:// or unix://, not ${text}`);
    }
    return settings;
}

// JSON as clustr-qt writes it: compact, keys of objects sorted.
function compact(value) {
    if (Array.isArray(value))
        return `[${value.map(compact).join(',')}]`;
    if (value !== null && typeof value === 'object')
        return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${compact(value[key])}`).join(',')}}`;
    return JSON.stringify(value);
}

// An integer from 1 to 2^53, as a JSON number or a string of decimal digits.
function validPid(value) {
    if (typeof value === 'string' && /^[0-9]+$/.test(value))
        value = Number(value);
    return Number.isInteger(value) && value >= 1 && value <= MAX_PID ? value : null;
}

// The envelope {"meta": {"pid", "group"}, "data"}, checked as PROTOCOL.md section 1 says.
const utf8 = new TextDecoder('utf-8', { fatal: true });
function decode(payload) {
    if (payload.length > MAX_PAYLOAD)
        throw new Error(`payload of ${payload.length} bytes exceeds the limit of ${MAX_PAYLOAD} bytes`);
    let message;
    try {
        message = JSON.parse(utf8.decode(payload));
    } catch (error) {
        throw new Error(`payload is not valid JSON: ${error.message}`);
    }
    if (message === null || typeof message !== 'object' || Array.isArray(message))
        throw new Error('payload is not a JSON object');
    const meta = message.meta;
    if (meta === null || typeof meta !== 'object' || Array.isArray(meta))
        throw new Error('meta is missing or not an object');
    const pid = validPid(meta.pid);
    if (pid === null)
        throw new Error('meta.pid is not an integer between 1 and 2^53');
    if (typeof meta.group !== 'string')
        throw new Error('meta.group is not a string');
    return { pid, group: meta.group, data: message.data === undefined ? null : message.data };
}

// A kill's data: 0..255, as a JSON number or a string of up to three digits.
function exitCode(data) {
    const code = typeof data === 'string' && /^[0-9]{1,3}$/.test(data) ? Number(data) : data;
    if (Number.isInteger(code) && code >= 0 && code <= 255)
        return code;
    throw new Error("a kill's data must be an exit code from 0 to 255");
}

function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}

class Worker {
    constructor() {
        const options = parseOptions(process.argv);
        this.pid = process.pid;
        this.group = process.env.CLUSTR_GROUP || LANGUAGE;
        this.masterPid = Number(options['cluster-master-pid'] || 0);
        const namespace = options['cluster-namespace'] || '';
        this.prefix = namespace ? `${namespace}:` : '';
        const url = options['cluster-redis'] || process.env.CLUSTR_REDIS || 'redis://127.0.0.1:6379';
        // Two connections: one that subscribes may do nothing else.
        this.publisher = createClient(connectionSettings(url));
        this.subscriber = this.publisher.duplicate();
        for (const client of [this.publisher, this.subscriber])
            client.on('error', (error) => this.fail(error));
        this.stats = Object.fromEntries(COUNTERS.map((name) => [name, 0]));
        this.registered = false;
        this.leaving = false;
        this.startedAt = new Date(Date.now() - process.uptime() * 1000).toISOString(); // when the process started
        this.lastCpu = null; // { usage, time } at the previous heartbeat
        this.awaiting = new Map(); // confirmation id -> { count, pids }
        this.heartbeatTimer = null;
    }

    say(text) {
        console.log(`${LANGUAGE} worker ${this.pid}: ${text}`);
    }

    // Sending. One connection sends in order: a heartbeat published before
    // the registration reaches the master before it.

    publish(channel, data) {
        // As clustr-qt writes it: meta first, then data (any order would do).
        const payload = `{"meta":${JSON.stringify({ pid: this.pid, group: this.group })},"data":${compact(data)}}`;
        return this.publisher.publish(this.prefix + channel, payload);
    }

    emitPublic(data) {
        this.stats.emitPublic++;
        return this.publish('public', data);
    }

    emitPrivate(pid, data) {
        this.stats.emitPrivate++;
        return this.publish(`private:${pid}`, data);
    }

    emitGroup(group, data) {
        this.stats.emitGroup++;
        return this.publish(`group:${group}`, data);
    }

    emitConfirmation(identifier) {
        this.stats.emitConfirmation++;
        return this.publish('confirmation', identifier);
    }

    // Joining and leaving

    async start() {
        for (const signal of ['SIGTERM', 'SIGINT']) {
            // Stopped by hand; a cluster stops its workers with a kill.
            process.on(signal, () => this.leave(128 + os.constants.signals[signal]));
        }
        await this.publisher.connect();
        await this.subscriber.connect();
        const own = ['public', `private:${this.pid}`, `group:${this.group}`, `kill:${this.pid}`,
            'confirmation', `clusterInfo:${this.pid}`];
        // Resolves once Redis confirmed every subscription: nobody may message us before.
        // Buffers, so that invalid UTF-8 is noticed rather than replaced.
        await this.subscriber.subscribe(own.map((name) => this.prefix + name),
            (payload, channel) => this.handle(channel.toString(), payload), true);
        this.register();
        this.heartbeatTimer = setInterval(() => this.heartbeat(), HEARTBEAT_INTERVAL_MS);
    }

    register() {
        if (!this.masterPid) {
            this.say('no --cluster-master-pid: not registering');
            return;
        }
        this.registered = true;
        // The heartbeat first, on the same connection: the master knows us before it counts us.
        this.heartbeat();
        this.publish(`registration:${this.masterPid}`, 'registration');
        this.say(`registered as ${this.group} with master ${this.masterPid}`);
        this.publish(`clusterInfo:${this.masterPid}`, 'clusterInfo');
    }

    async leave(code) {
        if (this.leaving)
            return; // the first kill decides the exit code
        this.leaving = true;
        // No heartbeat after the deregistration: it would register us again.
        clearInterval(this.heartbeatTimer);
        try {
            if (this.registered) {
                this.registered = false;
                await this.publish(`deregistration:${this.masterPid}`, 'deregistration');
            }
            await this.subscriber.disconnect();
            await this.publisher.quit();
        } catch (error) {
            this.say(`could not say goodbye: ${error.message}`);
        }
        this.say(`left with exit code ${code}`);
        process.exit(code);
    }

    // Without Redis there is no cluster to work in: exit with 1, and the
    // spawner starts us again (with a backoff if it keeps happening).
    fail(error) {
        if (this.leaving)
            return;
        this.say(`Redis failed: ${error.message}`);
        process.exit(1);
    }

    // Heartbeats

    heartbeat() {
        if (!this.masterPid || this.leaving)
            return;
        const beat = {
            ppid: process.ppid, ready: this.registered, host: os.hostname(),
            startedAt: this.startedAt, sentAt: new Date().toISOString(), children: [],
            stats: this.stats, ...this.resources(),
        };
        this.publish(`heartbeat:${this.masterPid}`, beat);
    }

    // cpus, rss and cpu: what `clustr-qt status` shows as CPUS, RSS and CPU%.
    resources() {
        const status = fs.readFileSync('/proc/self/status', 'utf8');
        const cpus = /^Cpus_allowed_list:\s*(\S+)/m.exec(status);
        const result = { rss: process.memoryUsage.rss() };
        if (cpus)
            result.cpus = cpus[1];
        const now = { usage: process.cpuUsage(), time: process.hrtime.bigint() };
        // The first heartbeat has nothing to compare with: "cpu" is left out (unknown).
        if (this.lastCpu && now.time > this.lastCpu.time) {
            const cpuMicros = now.usage.user + now.usage.system - this.lastCpu.usage.user - this.lastCpu.usage.system;
            result.cpu = Math.round(10000 * cpuMicros / (Number(now.time - this.lastCpu.time) / 1000)) / 100;
        }
        this.lastCpu = now;
        return result;
    }

    // Receiving

    handle(channel, payload) {
        if (this.leaving)
            return;
        const name = channel.slice(this.prefix.length);
        const kind = name.split(':')[0];
        let message;
        let code;
        try {
            message = decode(payload);
            if (kind === 'kill')
                code = exitCode(message.data);
            else if (kind === 'confirmation' && typeof message.data !== 'string')
                throw new Error("a confirmation's data must be an identifier string");
        } catch (error) {
            this.stats.rejectedMessages++;
            this.say(`rejected a message on ${channel}: ${error.message}`);
            return;
        }
        const { pid, group, data } = message;
        if (kind === 'clusterInfo') {
            if (isObject(data)) { // an answer (our own request is not sent here)
                this.stats.onMessage++;
                this.say(`cluster info ${compact(data)}`);
            }
            return;
        }
        this.stats.onMessage++;
        if (kind === 'kill') {
            this.say(`kill from ${group} ${pid}: leaving with exit code ${code}`);
            this.leave(code);
            return;
        }
        if (kind === 'confirmation') {
            this.stats.receivedConfirmations++;
            this.confirmed(pid, data);
            return;
        }
        this.stats[`on${kind[0].toUpperCase()}${kind.slice(1)}`]++;
        this.say(`${kind} message from ${group} ${pid}: ${compact(data)}`);
        if (isObject(data))
            this.obey(kind, pid, group, data);
    }

    // The example's own requests: ping, confirm, await.
    obey(kind, pid, group, data) {
        if ('ping' in data) {
            const pong = { pong: data.ping, from: LANGUAGE };
            if (kind === 'private')
                this.emitPrivate(pid, pong);
            else if (kind === 'group')
                this.emitGroup(group, pong);
            else
                this.emitPublic(pong);
        }
        if (typeof data.confirm === 'string')
            this.emitConfirmation(data.confirm);
        const count = data.count === undefined ? 1 : data.count;
        if (typeof data.await === 'string' && Number.isInteger(count) && count >= 1)
            this.awaiting.set(data.await, { count, pids: [] });
    }

    confirmed(pid, identifier) {
        const waiting = this.awaiting.get(identifier);
        if (!waiting)
            return;
        waiting.pids.push(pid);
        if (waiting.pids.length < waiting.count)
            return;
        this.stats.successfulConfirmations++;
        this.say(`confirmation ${compact(identifier)} completed by ${waiting.pids.join(' ')}`);
        waiting.pids = []; // counting starts again
    }
}

const worker = new Worker();
worker.start().catch((error) => worker.fail(error));
