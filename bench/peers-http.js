// SPDX-License-Identifier: MIT
// The peers' HTTP worker (bench/run --peers): the 4-worker pool that PM2
// and supervisord reload under wrk, as their users would write it. Plain
// Node, no packages. `GET /` answers `pid <pid>`, like examples/http.
//
// Where it listens:
//   BENCH_LISTEN_FD=N   an inherited listening socket (supervisord's
//                       fcgi-program hands every process of the pool one socket as fd 0)
//   BENCH_PORT=P        127.0.0.1:P (under PM2's cluster mode, its master shares the port)
// BENCH_READY_SOCKET=PATH: once listening, PUBLISH "<pid>" on bench:ready
// to the Redis at that unix socket, so bench/run sees the worker ready
// whichever manager started it.
// SIGINT (PM2's reload) and SIGTERM (supervisord's stop): stop accepting,
// finish the requests under way, exit: the graceful shutdown PM2's
// documentation shows.
'use strict';
const http = require('http');
const net = require('net');

const server = http.createServer((request, response) => {
    response.end(`pid ${process.pid}\n`);
});

function announce() {
    const path = process.env.BENCH_READY_SOCKET;
    if (!path)
        return;
    const connection = net.createConnection(path, () => {
        connection.write(`PUBLISH bench:ready ${process.pid}\r\n`);
    });
    connection.on('data', () => connection.end());
    connection.on('error', (error) => console.error(`ready announcement failed: ${error.message}`));
}

const where = process.env.BENCH_LISTEN_FD !== undefined
    ? { fd: Number(process.env.BENCH_LISTEN_FD) }
    : { host: '127.0.0.1', port: Number(process.env.BENCH_PORT) };
server.listen(where, () => {
    console.log(`listening ${process.pid}`);
    announce();
});

function shutdown() {
    server.close(() => process.exit(0));
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
