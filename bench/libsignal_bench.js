#!/usr/bin/env node
'use strict';
// The protocol benchmarks of bench/protocol_bench.cpp, run on
// @signalapp/libsignal-client 0.65.4 (interop/node_modules) in Node with
// in-memory stores, for bench/compare.sh (docs/BENCHMARKS.md).
//
// Usage: node bench/libsignal_bench.js [--min-time SECONDS] [--repetitions N] [--only NAME,...]
// Operations: session_setup, one_way_100, one_way_1024, ping_pong, fingerprint
// (the protocol benchmarks), call_keygen, call_agree, call_sign, call_verify
// (single synchronous calls, for reference; timed for a quarter of min-time).
// Prints one JSON object: { version, node, results: { <op>: { wall_ns, cpu_ns,
// iterations, reps: [...] } } } with the median over the repetitions, per
// operation (per message for the message benchmarks).
//
// Each operation is warmed up, then timed in batches until at least
// --min-time seconds (default 1) of timed work per repetition. wall_ns is
// process.hrtime; cpu_ns is process.cpuUsage (user + system of the whole
// process, so it includes V8's GC helper threads: part of libsignal-in-Node's
// cost, as libhush's own allocations are part of its).
//
// The stores keep the libsignal objects themselves (no serialization), the
// cheapest in-memory store the Node API allows, as libhush's in-memory store
// keeps its records as objects.

const path = require('path');
const SignalClient = require(path.join(__dirname, '..', 'interop', 'node_modules', '@signalapp', 'libsignal-client'));
const {
  PrivateKey, IdentityKeyPair, ProtocolAddress, PreKeyBundle, PreKeyRecord, SignedPreKeyRecord,
  SignalMessage, PreKeySignalMessage, Fingerprint, CiphertextMessageType,
} = SignalClient;

// ---- in-memory stores (async, as the API requires) ----

class SessionStore extends SignalClient.SessionStore {
  constructor() { super(); this.m = new Map(); }
  async saveSession(addr, record) { this.m.set(addr.toString(), record); }
  async getSession(addr) { return this.m.get(addr.toString()) || null; }
  async getExistingSessions(addrs) { return addrs.map((a) => this.m.get(a.toString())); }
}

class IdentityStore extends SignalClient.IdentityKeyStore {
  constructor(ikp, regId) { super(); this.ikp = ikp; this.regId = regId; this.m = new Map(); }
  async getIdentityKey() { return this.ikp.privateKey; }
  async getLocalRegistrationId() { return this.regId; }
  async saveIdentity(addr, key) {
    const name = addr.name();
    const old = this.m.get(name);
    this.m.set(name, key);
    return old !== undefined && old.compare(key) !== 0;
  }
  async isTrustedIdentity(addr, key /* , direction */) {
    const old = this.m.get(addr.name());
    return old === undefined || old.compare(key) === 0;
  }
  async getIdentity(addr) { return this.m.get(addr.name()) || null; }
}

class PreKeyStore extends SignalClient.PreKeyStore {
  constructor() { super(); this.m = new Map(); }
  async savePreKey(id, r) { this.m.set(id, r); }
  async getPreKey(id) { const r = this.m.get(id); if (!r) throw new Error(`no prekey ${id}`); return r; }
  async removePreKey(id) { this.m.delete(id); }
}

class SignedPreKeyStore extends SignalClient.SignedPreKeyStore {
  constructor() { super(); this.m = new Map(); }
  async saveSignedPreKey(id, r) { this.m.set(id, r); }
  async getSignedPreKey(id) { const r = this.m.get(id); if (!r) throw new Error(`no signed prekey ${id}`); return r; }
}

class KyberPreKeyStore extends SignalClient.KyberPreKeyStore {
  async saveKyberPreKey() { throw new Error('unused'); }
  async getKyberPreKey() { throw new Error('unused'); }
  async markKyberPreKeyUsed() { throw new Error('unused'); }
}

class Party {
  constructor(ikp, regId, name) {
    this.address = ProtocolAddress.new(name, 1);
    this.regId = regId;
    this.ikp = ikp;
    this.sessions = new SessionStore();
    this.identities = new IdentityStore(ikp, regId);
    this.prekeys = new PreKeyStore();
    this.signedPrekeys = new SignedPreKeyStore();
    this.kyber = new KyberPreKeyStore();
  }

  // Same as protocol_bench.cpp publish_bundle: signed prekey (keygen + sign)
  // and one-time prekey (keygen), both stored, and the bundle.
  publishBundle(id) {
    const spkPriv = PrivateKey.generate();
    const spkPub = spkPriv.getPublicKey();
    const sig = this.ikp.privateKey.sign(spkPub.serialize());
    this.signedPrekeys.m.set(id, SignedPreKeyRecord.new(id, 1700000000000, spkPub, spkPriv, sig));
    const pkPriv = PrivateKey.generate();
    const pkPub = pkPriv.getPublicKey();
    this.prekeys.m.set(id, PreKeyRecord.new(id, pkPub, pkPriv));
    return PreKeyBundle.new(this.regId, 1, id, pkPub, id, spkPub, sig, this.ikp.publicKey, null, null, null);
  }

  async process(peer, bundle) {
    await SignalClient.processPreKeyBundle(bundle, peer.address, this.sessions, this.identities);
  }

  async encrypt(peer, pt) {
    const ct = await SignalClient.signalEncrypt(pt, peer.address, this.sessions, this.identities);
    return { type: ct.type(), body: ct.serialize() };
  }

  async decrypt(peer, m) {
    if (m.type === CiphertextMessageType.Whisper) {
      return SignalClient.signalDecrypt(SignalMessage.deserialize(m.body), peer.address, this.sessions, this.identities);
    }
    return SignalClient.signalDecryptPreKey(PreKeySignalMessage.deserialize(m.body), peer.address, this.sessions,
      this.identities, this.prekeys, this.signedPrekeys, this.kyber);
  }
}

function check(cond, what) { if (!cond) throw new Error(`benchmark check failed: ${what}`); }

// Established, acknowledged session (as protocol_bench.cpp Pair).
async function makePair() {
  const alice = new Party(IdentityKeyPair.generate(), 1111, 'alice');
  const bob = new Party(IdentityKeyPair.generate(), 2222, 'bob');
  await alice.process(bob, bob.publishBundle(1));
  const m1 = await alice.encrypt(bob, Buffer.alloc(16, 'h'));
  check(m1.type === CiphertextMessageType.PreKey, 'first message is a PreKey message');
  await bob.decrypt(alice, m1);
  const m2 = await bob.encrypt(alice, Buffer.alloc(16, 'r'));
  await alice.decrypt(bob, m2);
  const m3 = await alice.encrypt(bob, Buffer.alloc(16, 'h'));
  check(m3.type === CiphertextMessageType.Whisper, 'acknowledged session sends whisper messages');
  await bob.decrypt(alice, m3);
  return { alice, bob };
}

// ---- operations: each returns { prepare(n) (untimed), run(ctx, n) (timed), perIteration } ----

const ops = {
  // Timed as BM_SessionSetup: Bob publishes a bundle, Alice processes it and
  // encrypts a 100-byte first message, Bob decrypts it. Fresh stores per
  // iteration, built (with pre-generated identities) before the timed batch.
  session_setup: {
    perIteration: 1,
    async init() {
      this.aliceIkp = IdentityKeyPair.generate();
      this.bobIkp = IdentityKeyPair.generate();
      this.pt = Buffer.alloc(100, 'x');
    },
    prepare(n) {
      const pairs = [];
      for (let i = 0; i < n; i++) {
        pairs.push([new Party(this.aliceIkp, 1111, 'alice'), new Party(this.bobIkp, 2222, 'bob')]);
      }
      return pairs;
    },
    async run(pairs, n) {
      for (let i = 0; i < n; i++) {
        const [alice, bob] = pairs[i];
        const bundle = bob.publishBundle(7);
        await alice.process(bob, bundle);
        const m = await alice.encrypt(bob, this.pt);
        const p = await bob.decrypt(alice, m);
        if (p.length !== 100) throw new Error('bad plaintext');
      }
    },
  },

  // BM_OneWay/N: Alice encrypts, Bob decrypts, same chains.
  one_way_100: oneWay(100),
  one_way_1024: oneWay(1024),

  // BM_PingPong: A->B then B->A per iteration; reported per message.
  ping_pong: {
    perIteration: 2,
    async init() { this.pair = await makePair(); this.pt = Buffer.alloc(100, 'x'); },
    prepare() { return this.pair; },
    async run({ alice, bob }, n) {
      for (let i = 0; i < n; i++) {
        const m1 = await alice.encrypt(bob, this.pt);
        await bob.decrypt(alice, m1);
        const m2 = await bob.encrypt(alice, this.pt);
        const p = await alice.decrypt(bob, m2);
        if (p.length !== 100) throw new Error('bad plaintext');
      }
    },
  },

  // BM_Fingerprint: version 2, 5200 iterations, 16-byte identifiers.
  fingerprint: {
    perIteration: 1,
    async init() {
      this.a = PrivateKey.generate().getPublicKey();
      this.b = PrivateKey.generate().getPublicKey();
      this.aId = Buffer.alloc(16, 0xa1);
      this.bId = Buffer.alloc(16, 0xb2);
    },
    prepare() { return null; },
    async run(_, n) {
      for (let i = 0; i < n; i++) {
        const fp = Fingerprint.new(5200, 2, this.aId, this.a, this.bId, this.b);
        if (fp.displayableFingerprint().toString().length !== 60) throw new Error('bad fingerprint');
      }
    },
  },
};

// Single synchronous libsignal calls (Rust through the Node binding), for
// reading the protocol numbers: one X25519 key generation, agreement, XEdDSA
// signature and verification of a 33-byte message.
function syncCall(setup) {
  return {
    perIteration: 1,
    short: true,
    async init() { this.f = setup(); },
    prepare() { return null; },
    async run(_, n) { const f = this.f; for (let i = 0; i < n; i++) f(); },
  };
}
const key33 = () => PrivateKey.generate().getPublicKey().serialize();
ops.call_keygen = syncCall(() => () => PrivateKey.generate().getPublicKey());
ops.call_agree = syncCall(() => { const k = PrivateKey.generate(); const p = PrivateKey.generate().getPublicKey(); return () => k.agree(p); });
ops.call_sign = syncCall(() => { const k = PrivateKey.generate(); const m = key33(); return () => k.sign(m); });
ops.call_verify = syncCall(() => {
  const k = PrivateKey.generate(); const p = k.getPublicKey(); const m = key33(); const sig = k.sign(m);
  return () => { if (!p.verify(m, sig)) throw new Error('bad signature'); };
});

function oneWay(size) {
  return {
    perIteration: 1,
    async init() { this.pair = await makePair(); this.pt = Buffer.alloc(size, 'x'); },
    prepare() { return this.pair; },
    async run({ alice, bob }, n) {
      for (let i = 0; i < n; i++) {
        const m = await alice.encrypt(bob, this.pt);
        const p = await bob.decrypt(alice, m);
        if (p.length !== size) throw new Error('bad plaintext');
      }
    },
  };
}

// ---- harness ----

const nowNs = () => process.hrtime.bigint();
const cpuNs = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };

async function timeBatch(op, n) {
  const ctx = op.prepare(n);
  const w0 = nowNs();
  const c0 = cpuNs();
  await op.run(ctx, n);
  const c1 = cpuNs();
  const w1 = nowNs();
  return { wall: Number(w1 - w0), cpu: c1 - c0 };
}

// Grows the batch until one batch takes >= 10% of minTime, then repeats
// batches of that size until minTime of timed work.
async function measure(op, minTimeNs) {
  let n = 1;
  let total = { wall: 0, cpu: 0, iters: 0 };
  for (;;) {
    const t = await timeBatch(op, n);
    if (t.wall >= minTimeNs / 10 || n >= 1 << 24) {
      total = { wall: t.wall, cpu: t.cpu, iters: n };
      break;
    }
    n = Math.max(n * 2, Math.ceil((n * (minTimeNs / 10)) / Math.max(t.wall, 1)));
  }
  while (total.wall < minTimeNs) {
    const t = await timeBatch(op, n);
    total.wall += t.wall;
    total.cpu += t.cpu;
    total.iters += n;
  }
  const per = total.iters * op.perIteration;
  return { wall_ns: total.wall / per, cpu_ns: total.cpu / per, iterations: total.iters };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; };

async function main() {
  const args = process.argv.slice(2);
  const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
  const minTime = Number(opt('--min-time', '1'));
  const reps = Number(opt('--repetitions', '3'));
  const only = opt('--only', null);
  const names = only ? only.split(',') : Object.keys(ops);

  const results = {};
  for (const name of names) {
    const op = ops[name];
    if (!op) throw new Error(`unknown operation ${name}`);
    await op.init();
    const t = op.short ? minTime * 0.25e9 : minTime * 1e9; // single calls: shorter runs
    await measure(op, t / 4); // warm-up (JIT, caches), discarded
    const runs = [];
    for (let r = 0; r < reps; r++) runs.push(await measure(op, t));
    results[name] = {
      wall_ns: median(runs.map((x) => x.wall_ns)),
      cpu_ns: median(runs.map((x) => x.cpu_ns)),
      iterations: runs.reduce((a, x) => a + x.iterations, 0),
      reps: runs,
    };
  }
  const pkg = require(path.join(__dirname, '..', 'interop', 'node_modules', '@signalapp', 'libsignal-client', 'package.json'));
  process.stdout.write(`${JSON.stringify({ libsignal_client: pkg.version, node: process.version, results }, null, 1)}\n`);
}

main().catch((e) => { console.error(e); process.exit(1); });
