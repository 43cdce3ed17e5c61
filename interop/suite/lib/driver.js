'use strict';
// Running the driver under test: one child process speaking the line protocol.
//
// DriverProcess: spawn, request/response with a per-request timeout, crash and
// garbage detection, pipelining, fire-and-forget writes (for kill tests), kill.
// DriverParty: the Party interface (same as LibParty in lib/peer.js) on top of it.

const { spawn } = require('child_process');
const { PartyError, DriverFault } = require('./errors');

const live = new Set();
process.on('exit', () => {
  for (const p of live) {
    try { process.kill(-p.child.pid, 'SIGKILL'); } catch (_) { /* already gone */ }
  }
});

// Split a --driver string into argv (whitespace separated, '...' and "..." quoting).
function splitCommand(s) {
  const out = [];
  let cur = null;
  let quote = null;
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      if (cur === null) cur = '';
    } else if (/\s/.test(ch)) {
      if (cur !== null) { out.push(cur); cur = null; }
    } else {
      cur = (cur || '') + ch;
    }
  }
  if (cur !== null) out.push(cur);
  return out;
}

class DriverProcess {
  constructor(argv, { name = 'driver', defaultTimeoutMs = 15000, cwd } = {}) {
    this.argv = argv;
    this.name = name;
    this.defaultTimeoutMs = defaultTimeoutMs;
    this.cwd = cwd;
    this.pending = []; // FIFO of {resolve, reject, timer, discard}
    this.stderr = '';
    this.exited = null; // {code, signal} once the process is gone
    this.fault = null;
    this.expectedDeath = false;
  }

  start() {
    // detached: the driver gets its own process group, so kill() reaches
    // wrapper scripts' children too (and only processes we started).
    this.child = spawn(this.argv[0], this.argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true, cwd: this.cwd });
    live.add(this);
    this.exitPromise = new Promise((resolve) => {
      this._resolveExit = resolve;
      this.child.on('exit', (code, signal) => {
        this.exited = { code, signal };
        live.delete(this);
        this._failAll(new DriverFault('crash', `process exited (code ${code}, signal ${signal}) with ${this.pending.length} request(s) unanswered${this._stderrTail()}`));
        resolve(this.exited);
      });
    });
    this.child.on('error', (e) => {
      this.fault = new DriverFault('spawn', `${this.argv.join(' ')}: ${e.message}`);
      this._failAll(this.fault);
      if (this.child.pid === undefined && !this.exited) {
        // never started: no 'exit' event will come
        this.exited = { code: null, signal: null, spawnError: e.message };
        live.delete(this);
        this._resolveExit(this.exited);
      }
    });
    this.child.stdin.on('error', () => { /* EPIPE after a crash: reported through 'exit' */ });
    let buf = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        this._onLine(line);
      }
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk) => {
      this.stderr += chunk;
      if (this.stderr.length > 20000) this.stderr = this.stderr.slice(-10000);
    });
    return this;
  }

  _stderrTail() {
    const t = this.stderr.trim();
    return t ? `; stderr: ${t.slice(-600)}` : '';
  }

  _failAll(err) {
    const p = this.pending;
    this.pending = [];
    for (const e of p) {
      clearTimeout(e.timer);
      if (!e.discard) e.reject(err);
    }
  }

  _onLine(line) {
    const entry = this.pending.shift();
    if (!entry) {
      this.fault = new DriverFault('protocol', `unsolicited output line: ${line.slice(0, 200)}`);
      return;
    }
    clearTimeout(entry.timer);
    let obj;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      this.fault = new DriverFault('protocol', `response is not JSON: ${line.slice(0, 200)}`);
      this._failAll(this.fault);
      entry.reject(this.fault);
      return;
    }
    if (typeof obj !== 'object' || obj === null || typeof obj.ok !== 'boolean') {
      const f = new DriverFault('protocol', `response without boolean "ok": ${line.slice(0, 200)}`);
      entry.reject(f);
      return;
    }
    if (!entry.discard) entry.resolve(obj);
  }

  // Send one raw line and wait for its response object.
  requestLine(line, { timeoutMs } = {}) {
    if (this.fault) return Promise.reject(this.fault);
    if (this.exited && this.exited.spawnError) return Promise.reject(new DriverFault('spawn', `${this.argv.join(' ')}: ${this.exited.spawnError}`));
    if (this.exited) return Promise.reject(new DriverFault('crash', `process already exited (code ${this.exited.code}, signal ${this.exited.signal})${this._stderrTail()}`));
    const t = timeoutMs || this.defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      const entry = { resolve, reject, discard: false };
      entry.timer = setTimeout(() => {
        const f = new DriverFault('timeout', `no response within ${t} ms to: ${line.slice(0, 160)}${this._stderrTail()}`);
        this.fault = f;
        this._failAll(f);
        this.kill().catch(() => {});
      }, t);
      this.pending.push(entry);
      this.child.stdin.write(`${line}\n`);
    });
  }

  request(obj, opts) {
    return this.requestLine(JSON.stringify(obj), opts);
  }

  // Write a request and do not wait for its answer (kill tests).
  sendNoWait(obj) {
    if (this.exited) return;
    this.pending.push({ resolve() {}, reject() {}, discard: true, timer: null });
    this.child.stdin.write(`${JSON.stringify(obj)}\n`);
  }

  // Write many requests at once and collect all responses in order.
  pipeline(objs, { timeoutMs } = {}) {
    const t = timeoutMs || this.defaultTimeoutMs;
    const ps = objs.map((o) => this.requestLine(JSON.stringify(o), { timeoutMs: t }));
    return Promise.all(ps);
  }

  async kill(signal = 'SIGKILL') {
    if (this.exited) return this.exited;
    if (this.child.pid === undefined) return this.exitPromise;
    this.expectedDeath = true;
    try { process.kill(-this.child.pid, signal); } catch (_) {
      try { this.child.kill(signal); } catch (__) { /* gone */ }
    }
    return this.exitPromise;
  }

  // Close stdin (driver must exit 0) and wait; SIGKILL after timeoutMs.
  async close(timeoutMs = 3000) {
    if (this.exited) return this.exited;
    this.expectedDeath = true;
    try { this.child.stdin.end(); } catch (_) { /* gone */ }
    const timer = setTimeout(() => this.kill(), timeoutMs);
    const r = await this.exitPromise;
    clearTimeout(timer);
    return r;
  }
}

const b64 = (buf) => Buffer.from(buf).toString('base64');

// Party interface on top of a driver process. Errors from the driver become
// PartyError(code); protocol faults stay DriverFault.
class DriverParty {
  constructor(proc, { address, deviceId = 1, registrationId, store } = {}) {
    this.kind = 'driver';
    this.proc = proc;
    this.address = address;
    this.deviceId = deviceId;
    this.registrationId = registrationId !== undefined ? registrationId : 1 + Math.floor(Math.random() * 16380);
    this.store = store;
    this.identityKey = null;
  }

  toString() { return `driver(${this.address})`; }

  async call(obj, opts) {
    const r = await this.proc.request(obj, opts);
    if (!r.ok) {
      if (typeof r.error !== 'string') throw new DriverFault('protocol', `failure without error code: ${JSON.stringify(r).slice(0, 200)}`);
      throw new PartyError(r.error, String(r.message || ''), { response: r });
    }
    return r;
  }

  async init() {
    const req = { op: 'init', address: this.address, device_id: this.deviceId, registration_id: this.registrationId };
    if (this.store) req.store = this.store;
    const r = await this.call(req);
    if (typeof r.identity_key !== 'string') throw new DriverFault('protocol', 'init: no identity_key');
    this.identityKey = Buffer.from(r.identity_key, 'base64');
    if (r.registration_id !== this.registrationId) {
      throw new DriverFault('protocol', `init: registration_id ${r.registration_id} != ${this.registrationId}`);
    }
    return r;
  }

  async generateBundle({ signedPrekeyId, prekeyId } = {}) {
    const req = { op: 'generate_bundle', signed_prekey_id: signedPrekeyId };
    if (prekeyId !== undefined && prekeyId !== null) req.prekey_id = prekeyId;
    const r = await this.call(req);
    return r.bundle;
  }

  async processBundle(address, deviceId, bundle) {
    await this.call({ op: 'process_bundle', address, device_id: deviceId, bundle });
  }

  async encrypt(address, deviceId, plaintext, opts) {
    const r = await this.call({ op: 'encrypt', address, device_id: deviceId, plaintext: b64(plaintext) }, opts);
    if (typeof r.body !== 'string') throw new DriverFault('protocol', 'encrypt: no body');
    return { type: r.type, body: Buffer.from(r.body, 'base64') };
  }

  async decrypt(address, deviceId, type, body, opts) {
    const r = await this.call({ op: 'decrypt', address, device_id: deviceId, type, body: b64(body) }, opts);
    if (typeof r.plaintext !== 'string') throw new DriverFault('protocol', 'decrypt: no plaintext');
    return Buffer.from(r.plaintext, 'base64');
  }

  async trust(address, identityKey) {
    await this.call({ op: 'trust', address, identity_key: b64(identityKey) });
  }

  async fingerprint({ version, iterations, localId, remoteId, remoteIdentityKey }) {
    const r = await this.call({ op: 'fingerprint', version, iterations, local_id: b64(localId), remote_id: b64(remoteId), remote_identity_key: b64(remoteIdentityKey) });
    return { displayable: r.displayable, scannable: Buffer.from(String(r.scannable), 'base64') };
  }

  async groupCreate(distributionId) {
    const r = await this.call({ op: 'group_create', distribution_id: distributionId });
    return Buffer.from(r.distribution_message, 'base64');
  }

  async groupProcess(address, deviceId, distributionMessage) {
    await this.call({ op: 'group_process', address, device_id: deviceId, distribution_message: b64(distributionMessage) });
  }

  async groupEncrypt(distributionId, plaintext) {
    const r = await this.call({ op: 'group_encrypt', distribution_id: distributionId, plaintext: b64(plaintext) });
    return Buffer.from(r.body, 'base64');
  }

  async groupDecrypt(address, deviceId, body) {
    const r = await this.call({ op: 'group_decrypt', address, device_id: deviceId, body: b64(body) });
    return Buffer.from(r.plaintext, 'base64');
  }

  async close() { await this.proc.close(); }
}

module.exports = { DriverProcess, DriverParty, splitCommand };
