#!/usr/bin/env node
// The simplest possible WebSocket relay, as the baseline hush-load compares
// hushd against: a map of user id -> socket, JSON.parse of every message,
// and a send to the recipient. No auth, no storage, no acks; a message for
// someone offline is dropped.
//
//   cd bench/relay && npm ci && cd .. && node baseline-relay.js [--port 8080] [--host 127.0.0.1]
//   hush-load --baseline --port 8080 --devices 200 --rate 5000
//
// Clients connect to ws://HOST:PORT/ID and send text frames
// {"to": ID, "body": ...}; the recipient gets the same JSON text.
'use strict';

const path = require('path');
const { WebSocketServer } = require(path.join(__dirname, 'relay', 'node_modules', 'ws'));

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(arg('--port', '8080'));
const host = arg('--host', '127.0.0.1');
const users = new Map();

const server = new WebSocketServer({ host, port, maxPayload: 4 * 1024 * 1024 });
server.on('connection', (socket, request) => {
  const id = decodeURIComponent(request.url.slice(1));
  users.set(id, socket);
  socket.on('message', (data) => {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    const to = users.get(String(message.to));
    if (to) to.send(data, { binary: false });
  });
  socket.on('close', () => {
    if (users.get(id) === socket) users.delete(id);
  });
  socket.on('error', () => {});
});
server.on('listening', () => {
  const address = server.address();
  console.log(JSON.stringify({ event: 'listening', host: address.address, port: address.port, pid: process.pid }));
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
