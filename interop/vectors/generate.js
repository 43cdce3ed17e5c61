#!/usr/bin/env node
// Known-answer vector generator for Hush.
//
// Run from the repository root:   node interop/vectors/generate.js
//
// Produces interop/vectors/{keys,xeddsa,fingerprints,transcripts,messages,sessions}.json
// from the real @signalapp/libsignal-client (public npm API only). Inputs are random, but
// every input that influences an output is written next to it. The file layout (file names,
// key order, case names and case order) is deterministic; only the random bytes change from
// run to run. Every file is re-checked against libsignal before it is written; any mismatch
// aborts with a non-zero exit status and nothing is written.
//
// The schema of every file is documented in interop/vectors/README.md.

'use strict';

const path = require('path');
const fs = require('fs');
const crypto = require('crypto');

const ROOT = path.resolve(__dirname, '..', '..');
const S = require(path.join(ROOT, 'interop', 'node_modules', '@signalapp', 'libsignal-client'));
const PKG_VERSION = require(path.join(ROOT, 'interop', 'node_modules', '@signalapp', 'libsignal-client', 'package.json')).version;

const SOURCE = `@signalapp/libsignal-client ${PKG_VERSION}`;
const GENERATED_BY = 'interop/vectors/generate.js';
const OUT_DIR = __dirname;

if (PKG_VERSION !== '0.65.4') {
  throw new Error(`expected @signalapp/libsignal-client 0.65.4, found ${PKG_VERSION}`);
}

// Fixed clock used for every libsignal call that takes a `now` (processPreKeyBundle,
// signalEncrypt, SessionRecord.hasCurrentState). 2025-01-01T00:00:00Z.
const NOW_MS = 1735689600000;
const NOW = new Date(NOW_MS);

// ---------------------------------------------------------------------------------------------
// small helpers

const hex = (b) => Buffer.from(b).toString('hex');
const unhex = (h) => Buffer.from(h, 'hex');
const rnd = (n) => crypto.randomBytes(n);
function rndInt(lo, hi) { // inclusive
  return crypto.randomInt(lo, hi + 1);
}
function check(cond, what) {
  if (!cond) throw new Error(`self-check failed: ${what}`);
}
function eqBuf(a, b) { return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0; }
function errInfo(e) {
  return { message: String(e && e.message !== undefined ? e.message : e), code: e && e.code !== undefined ? e.code : null };
}
function header(description) {
  return { source: SOURCE, generated_by: GENERATED_BY, description };
}

// ---------------------------------------------------------------------------------------------
// minimal protobuf reader / writer (own code; wire format per the protobuf encoding spec)

function readVarint(buf, pos) {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7n;
    if (shift > 63n) throw new Error('varint too long');
  }
  return [result, pos];
}

// Returns [{field, wire, value}] where value is a BigInt (varint, fixed64, fixed32) or Buffer
// (length-delimited). Throws on any malformation.
function pbParse(buf) {
  buf = Buffer.from(buf);
  const out = [];
  let pos = 0;
  while (pos < buf.length) {
    let key;
    [key, pos] = readVarint(buf, pos);
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new Error('field number 0');
    let value;
    if (wire === 0) {
      [value, pos] = readVarint(buf, pos);
    } else if (wire === 1) {
      if (pos + 8 > buf.length) throw new Error('truncated fixed64');
      value = buf.readBigUInt64LE(pos); pos += 8;
    } else if (wire === 2) {
      let len;
      [len, pos] = readVarint(buf, pos);
      len = Number(len);
      if (pos + len > buf.length) throw new Error('truncated length-delimited field');
      value = buf.subarray(pos, pos + len); pos += len;
    } else if (wire === 5) {
      if (pos + 4 > buf.length) throw new Error('truncated fixed32');
      value = BigInt(buf.readUInt32LE(pos)); pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
    out.push({ field, wire, value });
  }
  return out;
}

function encVarint(v) {
  v = BigInt(v);
  const bytes = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    bytes.push(b);
  } while (v > 0n);
  return Buffer.from(bytes);
}
// fields: [[fieldNo, 'varint'|'bytes'|'fixed64', value]]; emitted in the given order.
function pbEncode(fields) {
  const parts = [];
  for (const [no, kind, value] of fields) {
    if (kind === 'varint') {
      parts.push(encVarint((BigInt(no) << 3n) | 0n), encVarint(value));
    } else if (kind === 'bytes') {
      const b = Buffer.from(value);
      parts.push(encVarint((BigInt(no) << 3n) | 2n), encVarint(b.length), b);
    } else if (kind === 'fixed64') {
      const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(value));
      parts.push(encVarint((BigInt(no) << 3n) | 1n), b);
    } else throw new Error(kind);
  }
  return Buffer.concat(parts);
}

// Helpers over parsed fields (proto2/proto3 "last one wins" for singular fields).
function pbLast(fields, no) {
  let v;
  for (const f of fields) if (f.field === no) v = f.value;
  return v;
}
function pbAll(fields, no) { return fields.filter((f) => f.field === no).map((f) => f.value); }
const num = (v) => (v === undefined ? undefined : Number(v));

// ---------------------------------------------------------------------------------------------
// wire message decoding (facts §6)

function decodeSignalMessage(buf) {
  buf = Buffer.from(buf);
  if (buf.length < 9) throw new Error('SignalMessage shorter than 9 bytes');
  const proto = buf.subarray(1, buf.length - 8);
  const f = pbParse(proto);
  const ratchet = pbLast(f, 1);
  const counter = pbLast(f, 2);
  const prev = pbLast(f, 3);
  const ct = pbLast(f, 4);
  if (ratchet === undefined || counter === undefined || ct === undefined) throw new Error('missing required field');
  return {
    version_byte: buf[0],
    ratchet_key: hex(ratchet),
    counter: Number(counter),
    previous_counter: prev === undefined ? 0 : Number(prev),
    ciphertext: hex(ct),
    mac: hex(buf.subarray(buf.length - 8)),
    protobuf: hex(proto),
    field_order: f.map((x) => x.field),
  };
}

function decodePreKeySignalMessage(buf) {
  buf = Buffer.from(buf);
  if (buf.length < 1) throw new Error('empty PreKeySignalMessage');
  const f = pbParse(buf.subarray(1));
  const get = (n) => pbLast(f, n);
  if (get(2) === undefined || get(3) === undefined || get(4) === undefined || get(6) === undefined) {
    throw new Error('missing required field');
  }
  return {
    version_byte: buf[0],
    pre_key_id: get(1) === undefined ? null : Number(get(1)),
    base_key: hex(get(2)),
    identity_key: hex(get(3)),
    message: hex(get(4)),
    registration_id: get(5) === undefined ? 0 : Number(get(5)),
    signed_pre_key_id: Number(get(6)),
    field_order: f.map((x) => x.field),
    inner: decodeSignalMessage(get(4)),
  };
}

// ---------------------------------------------------------------------------------------------
// storage.proto decoding (facts §11), proto3 semantics: absent scalar = 0, absent bytes = ""

function decodeChain(buf) {
  const f = pbParse(buf);
  const known = new Set([1, 2, 3, 4]);
  const ckRaw = pbLast(f, 3);
  let chainKey = { index: 0, key: '' };
  if (ckRaw !== undefined) {
    const c = pbParse(ckRaw);
    chainKey = { index: num(pbLast(c, 1)) || 0, key: hex(pbLast(c, 2) || Buffer.alloc(0)) };
  }
  return {
    ratchet_public: hex(pbLast(f, 1) || Buffer.alloc(0)),
    ratchet_private: hex(pbLast(f, 2) || Buffer.alloc(0)),
    chain_key_present: ckRaw !== undefined,
    chain_key_index: chainKey.index,
    chain_key: chainKey.key,
    message_keys: pbAll(f, 4).map((mk) => {
      const m = pbParse(mk);
      return {
        index: num(pbLast(m, 1)) || 0,
        cipher_key: hex(pbLast(m, 2) || Buffer.alloc(0)),
        mac_key: hex(pbLast(m, 3) || Buffer.alloc(0)),
        iv: hex(pbLast(m, 4) || Buffer.alloc(0)),
      };
    }),
    unknown_fields: f.map((x) => x.field).filter((n) => !known.has(n)),
  };
}

function decodeSessionStructure(buf) {
  const f = pbParse(buf);
  const known = new Set([1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 13, 14]);
  const b = (n) => hex(pbLast(f, n) || Buffer.alloc(0));
  const u = (n) => num(pbLast(f, n)) || 0;
  const senderRaw = pbLast(f, 6);
  const ppkRaw = pbLast(f, 9);
  let pending = null;
  if (ppkRaw !== undefined) {
    const p = pbParse(ppkRaw);
    pending = {
      pre_key_id: pbLast(p, 1) === undefined ? null : Number(pbLast(p, 1)),
      signed_pre_key_id: num(pbLast(p, 3)) || 0,
      base_key: hex(pbLast(p, 2) || Buffer.alloc(0)),
      timestamp: num(pbLast(p, 4)) || 0,
    };
  }
  return {
    session_version: u(1),
    local_identity_public: b(2),
    remote_identity_public: b(3),
    root_key: b(4),
    previous_counter: u(5),
    sender_chain: senderRaw === undefined ? null : decodeChain(senderRaw),
    receiver_chains: pbAll(f, 7).map(decodeChain),
    pending_pre_key: pending,
    remote_registration_id: u(10),
    local_registration_id: u(11),
    alice_base_key: b(13),
    has_pending_kyber_pre_key: pbLast(f, 14) !== undefined,
    field_order: f.map((x) => x.field),
    unknown_fields: f.map((x) => x.field).filter((n) => !known.has(n)),
  };
}

function decodeRecord(buf) {
  const f = pbParse(buf);
  const cur = pbLast(f, 1);
  return {
    current: cur === undefined ? null : decodeSessionStructure(cur),
    previous: pbAll(f, 2).map(decodeSessionStructure),
    unknown_fields: f.map((x) => x.field).filter((n) => n !== 1 && n !== 2),
  };
}

// Re-encode a decoded record in ascending field order with proto3 default omission, to check
// that the decoder saw everything and that libsignal writes canonical proto3.
function encodeChain(c) {
  const fields = [];
  if (c.ratchet_public) fields.push([1, 'bytes', unhex(c.ratchet_public)]);
  if (c.ratchet_private) fields.push([2, 'bytes', unhex(c.ratchet_private)]);
  if (c.chain_key_present) {
    const ck = [];
    if (c.chain_key_index) ck.push([1, 'varint', c.chain_key_index]);
    if (c.chain_key) ck.push([2, 'bytes', unhex(c.chain_key)]);
    fields.push([3, 'bytes', pbEncode(ck)]);
  }
  for (const m of c.message_keys) {
    const mk = [];
    if (m.index) mk.push([1, 'varint', m.index]);
    if (m.cipher_key) mk.push([2, 'bytes', unhex(m.cipher_key)]);
    if (m.mac_key) mk.push([3, 'bytes', unhex(m.mac_key)]);
    if (m.iv) mk.push([4, 'bytes', unhex(m.iv)]);
    fields.push([4, 'bytes', pbEncode(mk)]);
  }
  return pbEncode(fields);
}
function encodeSessionStructure(s) {
  const fields = [];
  if (s.session_version) fields.push([1, 'varint', s.session_version]);
  if (s.local_identity_public) fields.push([2, 'bytes', unhex(s.local_identity_public)]);
  if (s.remote_identity_public) fields.push([3, 'bytes', unhex(s.remote_identity_public)]);
  if (s.root_key) fields.push([4, 'bytes', unhex(s.root_key)]);
  if (s.previous_counter) fields.push([5, 'varint', s.previous_counter]);
  if (s.sender_chain) fields.push([6, 'bytes', encodeChain(s.sender_chain)]);
  for (const rc of s.receiver_chains) fields.push([7, 'bytes', encodeChain(rc)]);
  if (s.pending_pre_key) {
    const p = s.pending_pre_key;
    const pf = [];
    if (p.pre_key_id !== null) pf.push([1, 'varint', p.pre_key_id]);
    if (p.base_key) pf.push([2, 'bytes', unhex(p.base_key)]);
    if (p.signed_pre_key_id) pf.push([3, 'varint', p.signed_pre_key_id]);
    if (p.timestamp) pf.push([4, 'varint', p.timestamp]);
    fields.push([9, 'bytes', pbEncode(pf)]);
  }
  if (s.remote_registration_id) fields.push([10, 'varint', s.remote_registration_id]);
  if (s.local_registration_id) fields.push([11, 'varint', s.local_registration_id]);
  if (s.alice_base_key) fields.push([13, 'bytes', unhex(s.alice_base_key)]);
  return pbEncode(fields);
}
function encodeRecord(r) {
  const fields = [];
  if (r.current) fields.push([1, 'bytes', encodeSessionStructure(r.current)]);
  for (const p of r.previous) fields.push([2, 'bytes', encodeSessionStructure(p)]);
  return pbEncode(fields);
}

// ---------------------------------------------------------------------------------------------
// in-memory stores (records kept serialized so nothing is aliased)

class MemSessionStore extends S.SessionStore {
  constructor() { super(); this.map = new Map(); }
  async saveSession(addr, rec) { this.map.set(addr.toString(), Buffer.from(rec.serialize())); }
  async getSession(addr) {
    const b = this.map.get(addr.toString());
    return b ? S.SessionRecord.deserialize(b) : null;
  }
  async getExistingSessions(addrs) {
    return addrs.map((a) => {
      const b = this.map.get(a.toString());
      if (!b) throw new Error(`no session for ${a}`);
      return S.SessionRecord.deserialize(b);
    });
  }
  raw(addr) { const b = this.map.get(addr.toString()); return b ? Buffer.from(b) : null; }
  setRaw(addr, buf) { this.map.set(addr.toString(), Buffer.from(buf)); }
}
class MemIdentityStore extends S.IdentityKeyStore {
  constructor(priv, regId) { super(); this.priv = priv; this.regId = regId; this.ids = new Map(); }
  async getIdentityKey() { return this.priv; }
  async getLocalRegistrationId() { return this.regId; }
  async saveIdentity(addr, key) {
    const k = addr.toString();
    const old = this.ids.get(k);
    this.ids.set(k, Buffer.from(key.serialize()));
    return old !== undefined && !eqBuf(old, key.serialize());
  }
  async isTrustedIdentity() { return true; }
  async getIdentity(addr) {
    const b = this.ids.get(addr.toString());
    return b ? S.PublicKey.deserialize(b) : null;
  }
}
class MemPreKeyStore extends S.PreKeyStore {
  constructor() { super(); this.map = new Map(); this.removed = []; }
  async savePreKey(id, rec) { this.map.set(id, Buffer.from(rec.serialize())); }
  async getPreKey(id) {
    const b = this.map.get(id);
    if (!b) throw new Error(`no prekey ${id}`);
    return S.PreKeyRecord.deserialize(b);
  }
  async removePreKey(id) { this.map.delete(id); this.removed.push(id); }
}
class MemSignedPreKeyStore extends S.SignedPreKeyStore {
  constructor() { super(); this.map = new Map(); }
  async saveSignedPreKey(id, rec) { this.map.set(id, Buffer.from(rec.serialize())); }
  async getSignedPreKey(id) {
    const b = this.map.get(id);
    if (!b) throw new Error(`no signed prekey ${id}`);
    return S.SignedPreKeyRecord.deserialize(b);
  }
}
class NoKyberStore extends S.KyberPreKeyStore {
  async saveKyberPreKey() { throw new Error('kyber not used'); }
  async getKyberPreKey() { throw new Error('kyber not used'); }
  async markKyberPreKeyUsed() { throw new Error('kyber not used'); }
}

class Party {
  // identity: IdentityKeyPair
  constructor(name, deviceId, regId, identity) {
    this.name = name;
    this.deviceId = deviceId;
    this.regId = regId;
    this.identity = identity;
    this.address = S.ProtocolAddress.new(name, deviceId);
    this.sessions = new MemSessionStore();
    this.ids = new MemIdentityStore(identity.privateKey, regId);
    this.preKeys = new MemPreKeyStore();
    this.signedPreKeys = new MemSignedPreKeyStore();
    this.kyber = new NoKyberStore();
  }
}

async function encryptFrom(sender, receiver, plaintext) {
  return S.signalEncrypt(Buffer.from(plaintext), receiver.address, sender.sessions, sender.ids, NOW);
}
async function decryptAt(receiver, sender, type, body) {
  if (type === S.CiphertextMessageType.PreKey) {
    return S.signalDecryptPreKey(S.PreKeySignalMessage.deserialize(Buffer.from(body)), sender.address,
      receiver.sessions, receiver.ids, receiver.preKeys, receiver.signedPreKeys, receiver.kyber);
  }
  check(type === S.CiphertextMessageType.Whisper, `unexpected type ${type}`);
  return S.signalDecrypt(S.SignalMessage.deserialize(Buffer.from(body)), sender.address, receiver.sessions, receiver.ids);
}

function freshIdentity() {
  const priv = S.PrivateKey.deserialize(rnd(32));
  return new S.IdentityKeyPair(priv.getPublicKey(), priv);
}

// Set up Alice and Bob; Bob publishes a bundle (optionally with a one-time prekey); Alice
// processes it. Returns everything needed to record and to replay.
async function setupPair(withOpk) {
  const alice = new Party('alice', rndInt(1, 16), rndInt(1, 16380), freshIdentity());
  const bob = new Party('bob', rndInt(1, 16), rndInt(1, 16380), freshIdentity());
  const spkPriv = S.PrivateKey.deserialize(rnd(32));
  const spkId = rndInt(1, 0xffffff);
  const spkTs = NOW_MS - 86400000;
  const spkSig = bob.identity.privateKey.sign(spkPriv.getPublicKey().serialize());
  await bob.signedPreKeys.saveSignedPreKey(spkId,
    S.SignedPreKeyRecord.new(spkId, spkTs, spkPriv.getPublicKey(), spkPriv, spkSig));
  let opk = null;
  if (withOpk) {
    const opkPriv = S.PrivateKey.deserialize(rnd(32));
    const opkId = rndInt(1, 0xffffff);
    await bob.preKeys.savePreKey(opkId, S.PreKeyRecord.new(opkId, opkPriv.getPublicKey(), opkPriv));
    opk = { id: opkId, priv: opkPriv };
  }
  const bundle = S.PreKeyBundle.new(bob.regId, bob.deviceId,
    opk ? opk.id : null, opk ? opk.priv.getPublicKey() : null,
    spkId, spkPriv.getPublicKey(), spkSig, bob.identity.publicKey, null, null, null);
  await S.processPreKeyBundle(bundle, bob.address, alice.sessions, alice.ids, NOW);
  const aliceAfterBundle = alice.sessions.raw(bob.address);
  return { alice, bob, spk: { id: spkId, priv: spkPriv, sig: spkSig, ts: spkTs }, opk, bundle, aliceAfterBundle };
}

function partyJson(p) {
  return {
    name: p.name,
    device_id: p.deviceId,
    address: p.address.toString(),
    registration_id: p.regId,
    identity_private: hex(p.identity.privateKey.serialize()),
    identity_public: hex(p.identity.publicKey.serialize()),
  };
}

// Build a fresh Bob (or Alice) from recorded JSON only.
async function partyFromJson(pj, t) {
  const priv = S.PrivateKey.deserialize(unhex(pj.identity_private));
  check(hex(priv.getPublicKey().serialize()) === pj.identity_public, 'identity pub matches priv');
  const p = new Party(pj.name, pj.device_id, pj.registration_id, new S.IdentityKeyPair(priv.getPublicKey(), priv));
  if (pj.name === 'bob') {
    const spk = t.bob_signed_pre_key;
    const spkPriv = S.PrivateKey.deserialize(unhex(spk.private));
    await p.signedPreKeys.saveSignedPreKey(spk.id, S.SignedPreKeyRecord.new(spk.id, spk.timestamp,
      S.PublicKey.deserialize(unhex(spk.public)), spkPriv, unhex(spk.signature)));
    if (t.bob_one_time_pre_key) {
      const o = t.bob_one_time_pre_key;
      await p.preKeys.savePreKey(o.id, S.PreKeyRecord.new(o.id, S.PublicKey.deserialize(unhex(o.public)),
        S.PrivateKey.deserialize(unhex(o.private))));
    }
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// 1. keys.json

async function genKeys() {
  const inputs = [
    ['zero', Buffer.alloc(32, 0x00)],
    ['ff', Buffer.alloc(32, 0xff)],
    ['ones_01', Buffer.alloc(32, 0x01)],
    ['threes_03', Buffer.alloc(32, 0x03)],
    ['already_clamped', (() => { const b = rnd(32); b[0] &= 0xf8; b[31] &= 0x7f; b[31] |= 0x40; return b; })()],
    ['low_bits_set', (() => { const b = rnd(32); b[0] |= 0x07; return b; })()],
    ['bit255_set_bit254_clear', (() => { const b = rnd(32); b[31] = (b[31] | 0x80) & 0xbf; return b; })()],
    ['one_le', (() => { const b = Buffer.alloc(32); b[0] = 1; return b; })()],
  ];
  while (inputs.length < 22) inputs.push([`random_${inputs.length}`, rnd(32)]);
  const privCases = inputs.map(([name, input]) => {
    const k = S.PrivateKey.deserialize(input);
    const clamped = k.serialize();
    const exp = Buffer.from(input); exp[0] &= 0xf8; exp[31] &= 0x7f; exp[31] |= 0x40;
    check(eqBuf(clamped, exp), `clamping ${name}`);
    const pub = k.getPublicKey().serialize();
    check(pub.length === 33 && pub[0] === 5, 'pub format');
    // cross-check with an independent X25519 (node crypto) on the clamped scalar
    const nodePub = x25519Public(clamped);
    check(eqBuf(nodePub, pub.subarray(1)), `x25519 public ${name}`);
    // deserializing the clamped key is idempotent
    check(eqBuf(S.PrivateKey.deserialize(clamped).serialize(), clamped), 'idempotent clamp');
    return { name, input: hex(input), private_key: hex(clamped), public_key: hex(pub) };
  });

  const agreement = [];
  for (let i = 0; i < 10; i++) {
    const a = S.PrivateKey.deserialize(rnd(32));
    const b = S.PrivateKey.deserialize(rnd(32));
    const shared = a.agree(b.getPublicKey());
    check(eqBuf(shared, b.agree(a.getPublicKey())), 'agreement symmetric');
    check(eqBuf(shared, x25519Shared(a.serialize(), b.getPublicKey().serialize().subarray(1))), 'node x25519 agree');
    agreement.push({
      name: `random_${i}`,
      private_key: hex(a.serialize()),
      public_key: hex(b.getPublicKey().serialize()),
      peer_private_key: hex(b.serialize()),
      shared_secret: hex(shared),
    });
  }
  { // bit 255 of the peer's u is ignored
    const a = S.PrivateKey.deserialize(rnd(32));
    const b = S.PrivateKey.deserialize(rnd(32));
    const pub = Buffer.from(b.getPublicKey().serialize()); pub[32] |= 0x80;
    const shared = a.agree(S.PublicKey.deserialize(pub));
    check(eqBuf(shared, a.agree(b.getPublicKey())), 'bit 255 ignored in agree');
    agreement.push({
      name: 'peer_u_bit255_set',
      private_key: hex(a.serialize()),
      public_key: hex(pub),
      peer_private_key: null,
      shared_secret: hex(shared),
    });
  }

  const pubParse = [];
  let somePub;
  do { somePub = S.PrivateKey.deserialize(rnd(32)).getPublicKey().serialize(); } while (somePub[1] === 0x05);
  const pubInputs = [
    ['empty', Buffer.alloc(0)],
    ['type_only', Buffer.from([5])],
    ['short_32', somePub.subarray(0, 32)],
    ['valid_33', somePub],
    ['trailing_byte_34', Buffer.concat([somePub, Buffer.from([0xab])])],
    ['trailing_32_bytes_65', Buffer.concat([somePub, rnd(32)])],
    ['type_06', Buffer.concat([Buffer.from([6]), somePub.subarray(1)])],
    ['type_00', Buffer.concat([Buffer.from([0]), somePub.subarray(1)])],
    ['raw_32_no_type', somePub.subarray(1)],
    ['u_all_ff', Buffer.concat([Buffer.from([5]), Buffer.alloc(32, 0xff)])],
    ['u_zero', Buffer.concat([Buffer.from([5]), Buffer.alloc(32, 0)])],
  ];
  for (const [name, input] of pubInputs) {
    try {
      const k = S.PublicKey.deserialize(input);
      pubParse.push({ name, input: hex(input), accepted: true, serialized: hex(k.serialize()), error: null });
    } catch (e) {
      pubParse.push({ name, input: hex(input), accepted: false, serialized: null, error: errInfo(e).message });
    }
  }
  const privParse = [];
  for (const [name, input] of [['empty', Buffer.alloc(0)], ['len_31', rnd(31)], ['len_33', rnd(33)], ['len_64', rnd(64)]]) {
    try {
      const k = S.PrivateKey.deserialize(input);
      privParse.push({ name, input: hex(input), accepted: true, serialized: hex(k.serialize()), error: null });
    } catch (e) {
      privParse.push({ name, input: hex(input), accepted: false, serialized: null, error: errInfo(e).message });
    }
  }
  return {
    ...header('X25519 private-key clamping, public-key derivation, agreement and key parsing, from libsignal'),
    private_keys: privCases,
    agreement,
    public_key_parsing: pubParse,
    private_key_parsing: privParse,
  };
}

// X25519 via node's crypto (independent cross-check of libsignal output)
function x25519PrivKeyObj(priv32) {
  const der = Buffer.concat([unhex('302e020100300506032b656e04220420'), priv32]);
  return crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}
function x25519Public(priv32) {
  const pub = crypto.createPublicKey(x25519PrivKeyObj(priv32)).export({ format: 'der', type: 'spki' });
  return pub.subarray(pub.length - 32);
}
function x25519Shared(priv32, u32) {
  const pubDer = Buffer.concat([unhex('302a300506032b656e032100'), u32]);
  return crypto.diffieHellman({
    privateKey: x25519PrivKeyObj(priv32),
    publicKey: crypto.createPublicKey({ key: pubDer, format: 'der', type: 'spki' }),
  });
}

// ---------------------------------------------------------------------------------------------
// 2. xeddsa.json

const ED_L = (1n << 252n) + 27742317777372353535851937790883648493n;
function leToBig(b) { let r = 0n; for (let i = b.length - 1; i >= 0; i--) r = (r << 8n) | BigInt(b[i]); return r; }
function bigToLe(v, n) { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) { b[i] = Number(v & 0xffn); v >>= 8n; } return b; }

async function genXeddsa() {
  const cases = [];
  const verify = (pub33, msg, sig) => {
    try {
      return { valid: S.PublicKey.deserialize(pub33).verify(msg, sig), threw: null };
    } catch (e) {
      return { valid: false, threw: errInfo(e).message };
    }
  };
  const push = (name, kind, priv, pub, msg, sig, note) => {
    const v = verify(pub, msg, sig);
    cases.push({
      name,
      kind,
      private_key: priv ? hex(priv.serialize()) : null,
      public_key: hex(pub),
      message: hex(msg),
      signature: hex(sig),
      sign_bit: sig.length >= 64 ? sig[63] >> 7 : null,
      valid: v.valid,
      verify_threw: v.threw,
      note: note || null,
    });
    return v.valid;
  };

  // facts-sheet verification vectors (§2)
  const fmsg = Buffer.from('libsignal xeddsa vector');
  const f0 = S.PrivateKey.deserialize(Buffer.alloc(32, 1));
  const f1 = S.PrivateKey.deserialize(Buffer.alloc(32, 3));
  check(hex(f0.getPublicKey().serialize()) === '05a4e09292b651c278b9772c569f5fa9bb13d906b46ab68c9df9dc2b4409f8a209', 'facts pub 0');
  check(hex(f1.getPublicKey().serialize()) === '055dfedd3b6bd47f6fa28ee15d969d5bb0ea53774d488bdaf9df1c6e0124b3ef22', 'facts pub 1');
  check(push('facts_vector_sign_bit_0', 'facts_vector', f0, f0.getPublicKey().serialize(), fmsg,
    unhex('e5de407a7100ec0932ce2e393cb1df7c05605b9898e5859c1fa3422353a39dc35ffeb5563e86d06bf0eb62be65666ccc1084691128a8cc02650454e8e0a5fd07'),
    'from signal-protocol-facts.md section 2'), 'facts vector 0 verifies');
  check(push('facts_vector_sign_bit_1', 'facts_vector', f1, f1.getPublicKey().serialize(), fmsg,
    unhex('7ec5547a6e06f552bf596c848b914d1a80ed1461553ecd7131af820c78ffb60fdec2f56e3ad004b9bafa434a98c00ad7466f18df2435a22085ae3e0d28cc898e'),
    'from signal-protocol-facts.md section 2'), 'facts vector 1 verifies');

  // Positive cases: 20 keys with Edwards sign bit 0 and 20 with sign bit 1 (found by rejection
  // sampling: the sign bit of a key is visible as sig[63]>>7 of any signature it makes).
  const want = { 0: 20, 1: 20 };
  const lengths = [0, 0, 1, 2, 31, 32, 33, 63, 64, 65, 100, 127, 128, 199, 200];
  let idx = 0;
  const keysByBit = { 0: [], 1: [] };
  while (want[0] > 0 || want[1] > 0) {
    const k = S.PrivateKey.deserialize(rnd(32));
    const probe = k.sign(Buffer.alloc(0));
    const bit = probe[63] >> 7;
    if (want[bit] === 0) continue;
    want[bit]--;
    keysByBit[bit].push(k);
    let msg;
    let note = null;
    if (idx % 8 === 3) {
      msg = S.PrivateKey.deserialize(rnd(32)).getPublicKey().serialize();
      note = 'message is a 33-byte serialized public key (as when signing a signed prekey)';
    } else {
      const len = idx < lengths.length ? lengths[idx] : rndInt(0, 200);
      msg = rnd(len);
    }
    const sig = k.sign(msg);
    check(sig.length === 64 && (sig[63] >> 7) === bit, 'sign bit stable per key');
    check(push(`valid_${idx}`, 'valid', k, k.getPublicKey().serialize(), msg, sig, note), 'genuine signature verifies');
    idx++;
  }

  // Negative / edge cases derived from genuine signatures, using both sign bits.
  for (const bit of [0, 1]) {
    const k = keysByBit[bit][0];
    const pub = k.getPublicKey().serialize();
    const msg = rnd(48);
    const sig = k.sign(msg);
    const mod = (fn) => { const s = Buffer.from(sig); fn(s); return s; };
    push(`b${bit}_baseline`, 'valid', k, pub, msg, sig, 'unmodified signature for the negative cases below');
    push(`b${bit}_flip_R_bit0`, 'flip_R', k, pub, msg, mod((s) => { s[0] ^= 0x01; }), 'sig[0] ^= 0x01');
    push(`b${bit}_flip_R_byte17`, 'flip_R', k, pub, msg, mod((s) => { s[17] ^= 0x10; }), 'sig[17] ^= 0x10');
    push(`b${bit}_flip_R_bit255`, 'flip_R', k, pub, msg, mod((s) => { s[31] ^= 0x80; }), 'sig[31] ^= 0x80 (sign bit of R)');
    push(`b${bit}_flip_s_bit0`, 'flip_s', k, pub, msg, mod((s) => { s[32] ^= 0x01; }), 'sig[32] ^= 0x01');
    push(`b${bit}_flip_s_byte50`, 'flip_s', k, pub, msg, mod((s) => { s[50] ^= 0x04; }), 'sig[50] ^= 0x04');
    push(`b${bit}_flip_sign_bit`, 'flip_sign_bit', k, pub, msg, mod((s) => { s[63] ^= 0x80; }), 'sig[63] ^= 0x80 (selects the other Edwards point -A)');
    push(`b${bit}_flip_msg`, 'flip_message', k, pub, Buffer.from(msg).fill(msg[0] ^ 0x01, 0, 1), sig, 'message[0] ^= 0x01');
    push(`b${bit}_msg_extra_byte`, 'flip_message', k, pub, Buffer.concat([msg, Buffer.from([0])]), sig, 'message with an extra 0x00 byte appended');
    const other = keysByBit[bit][1];
    push(`b${bit}_wrong_key_same_sign_bit`, 'wrong_key', k, other.getPublicKey().serialize(), msg, sig, 'verified with another key that has the same sign bit');
    const other2 = keysByBit[1 - bit][1];
    push(`b${bit}_wrong_key_other_sign_bit`, 'wrong_key', k, other2.getPublicKey().serialize(), msg, sig, 'verified with another key that has the other sign bit');
    push(`b${bit}_s_bit253_set`, 's_high_bits', k, pub, msg, mod((s) => { s[63] = (s[63] & 0x80) | (s[63] & 0x1f) | 0x20; }), 'sig[63] |= 0x20 (s >= 2^253), sign bit kept');
    push(`b${bit}_s_bit254_set`, 's_high_bits', k, pub, msg, mod((s) => { s[63] = (s[63] & 0x80) | (s[63] & 0x3f) | 0x40; }), 'sig[63] = (sig[63] & 0xbf) | 0x40 (s >= 2^254), sign bit kept');
    push(`b${bit}_s_bits253_254_set`, 's_high_bits', k, pub, msg, mod((s) => { s[63] |= 0x60; }), 'sig[63] |= 0x60, sign bit kept');
    { // s + L is still < 2^253: libsignal reduces s mod L, so this is expected to be accepted
      const s = Buffer.from(sig);
      const sv = leToBig(Buffer.concat([s.subarray(32, 63), Buffer.from([s[63] & 0x7f])]));
      const s2 = sv + ED_L;
      check(s2 < (1n << 253n), 's+L < 2^253');
      bigToLe(s2, 32).copy(s, 32);
      s[63] = (s[63] & 0x7f) | (bit << 7);
      push(`b${bit}_s_plus_L`, 'non_canonical_s', k, pub, msg, s, 's replaced by s+L (< 2^253, non-canonical); libsignal reduces s mod L');
    }
    push(`b${bit}_truncated_63`, 'wrong_length', k, pub, msg, sig.subarray(0, 63), '63-byte signature');
    push(`b${bit}_extended_65`, 'wrong_length', k, pub, msg, Buffer.concat([sig, Buffer.from([0])]), '65-byte signature (extra 0x00)');
    { // public key with bit 255 of u set: libsignal clears it before converting
      const pub2 = Buffer.from(pub); pub2[32] |= 0x80;
      push(`b${bit}_pub_u_bit255_set`, 'pub_u_bit255_set', k, pub2, msg, sig, 'public key with bit 255 of u set; libsignal clears that bit');
    }
  }
  {
    const k = keysByBit[0][2];
    push('empty_signature', 'wrong_length', k, k.getPublicKey().serialize(), rnd(10), Buffer.alloc(0), '0-byte signature');
    push('all_zero_signature', 'zero', k, k.getPublicKey().serialize(), rnd(10), Buffer.alloc(64), '64 zero bytes');
  }
  // self-check: every expected-invalid kind really is invalid
  for (const c of cases) {
    if (['flip_R', 'flip_s', 'flip_sign_bit', 'flip_message', 'wrong_key', 's_high_bits', 'wrong_length', 'zero'].includes(c.kind)) {
      check(c.valid === false, `${c.name} must be invalid`);
    }
    if (c.kind === 'valid' || c.kind === 'facts_vector') check(c.valid === true, `${c.name} must be valid`);
  }
  const nb = (b) => cases.filter((c) => c.kind === 'valid' && c.sign_bit === b).length;
  return {
    ...header('XEdDSA signatures from libsignal PrivateKey.sign and verification results from PublicKey.verify'),
    summary: { valid_sign_bit_0: nb(0), valid_sign_bit_1: nb(1) },
    cases,
  };
}

// ---------------------------------------------------------------------------------------------
// 3. fingerprints.json

async function genFingerprints() {
  const cases = [];
  const make = (name, iterations, version, localId, localKey, remoteId, remoteKey) => {
    const fp = S.Fingerprint.new(iterations, version, localId, localKey, remoteId, remoteKey);
    const fpR = S.Fingerprint.new(iterations, version, remoteId, remoteKey, localId, localKey);
    const disp = fp.displayableFingerprint().toString();
    check(disp === fpR.displayableFingerprint().toString(), 'displayable symmetric');
    check(/^[0-9]{60}$/.test(disp), 'displayable 60 digits');
    const scan = fp.scannableFingerprint().toBuffer();
    const scanR = fpR.scannableFingerprint().toBuffer();
    check(fp.scannableFingerprint().compare(fpR.scannableFingerprint()) === true, 'scannable compare');
    // own cross-check of the documented construction (facts §8)
    const side = (id, key) => {
      const k = key.serialize();
      let h = crypto.createHash('sha512').update(Buffer.from([0, 0])).update(k).update(id).update(k).digest();
      for (let i = 1; i < iterations; i++) h = crypto.createHash('sha512').update(h).update(k).digest();
      return h;
    };
    const hl = side(localId, localKey);
    const hr = side(remoteId, remoteKey);
    const digits = (h) => { let s = ''; for (let i = 0; i < 30; i += 5) s += (Number(h.readUIntBE(i, 5) % 100000)).toString().padStart(5, '0'); return s; };
    const dl = digits(hl); const dr = digits(hr);
    check(disp === (dl < dr ? dl + dr : dr + dl), `displayable construction ${name}`);
    const expScan = pbEncode([[1, 'varint', version], [2, 'bytes', pbEncode([[1, 'bytes', hl.subarray(0, 32)]])],
      [3, 'bytes', pbEncode([[1, 'bytes', hr.subarray(0, 32)]])]]);
    check(eqBuf(expScan, scan), `scannable construction ${name}`);
    cases.push({
      name,
      iterations,
      version,
      local_id: hex(localId),
      local_key: hex(localKey.serialize()),
      remote_id: hex(remoteId),
      remote_key: hex(remoteKey.serialize()),
      displayable: disp,
      scannable: hex(scan),
      remote_scannable: hex(scanR),
    });
  };
  const aliceKey = S.PublicKey.deserialize(unhex('0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868'));
  const bobKey = S.PublicKey.deserialize(unhex('05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b'));
  for (const version of [2, 1]) {
    make(`facts_vector_v${version}`, 5200, version, Buffer.from('+14152222222'), aliceKey, Buffer.from('+14153333333'), bobKey);
  }
  check(cases[0].displayable === '300354477692869396892869876765458257569162576843440918079131', 'facts displayable');
  check(cases[0].scannable === '080212220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df1a220a20d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d', 'facts scannable');
  check(cases[1].scannable.startsWith('080112'), 'facts scannable v1');

  const iters = [2, 1024, 5200];
  const idLens = [0, 1, 12, 16, 33, 40];
  for (let i = 0; i < 30; i++) {
    const lk = S.IdentityKeyPair.generate().publicKey;
    const rk = S.IdentityKeyPair.generate().publicKey;
    const l1 = i < idLens.length ? idLens[i] : rndInt(0, 40);
    const l2 = i < idLens.length ? idLens[(i + 3) % idLens.length] : rndInt(0, 40);
    make(`random_${i}`, iters[i % 3], 1 + ((i >> 1) % 2), rnd(l1), lk, rnd(l2), rk);
  }
  // same key and same id on both sides
  {
    const k = S.IdentityKeyPair.generate().publicKey;
    const id = Buffer.from('same');
    make('identical_sides', 1024, 2, id, k, id, k);
  }
  // Argument errors
  const errors = [];
  const k = S.IdentityKeyPair.generate().publicKey;
  for (const [iterations, version] of [[1, 2], [0, 2], [1000001, 2]]) {
    try {
      S.Fingerprint.new(iterations, version, Buffer.from('a'), k, Buffer.from('b'), k);
      errors.push({ iterations, version, accepted: true, error: null });
    } catch (e) {
      errors.push({ iterations, version, accepted: false, error: errInfo(e).message });
    }
  }
  return {
    ...header('Safety numbers: Fingerprint.new(iterations, version, localId, localKey, remoteId, remoteKey)'),
    cases,
    argument_errors: errors,
  };
}

// ---------------------------------------------------------------------------------------------
// 4. transcripts.json

// A script is a list of ops:
//   { send: 'alice'|'bob', pt: Buffer }   -> appends a step (step index = number of sends so far)
//   { deliver: stepIndex }                 -> the other party decrypts that step
function txt(s) { return Buffer.from(s, 'utf8'); }

async function runTranscript(name, description, withOpk, script) {
  const { alice, bob, spk, opk, bundle, aliceAfterBundle } = await setupPair(withOpk);
  const parties = { alice, bob };
  const other = { alice: 'bob', bob: 'alice' };
  const steps = [];
  const events = [];
  const deliverOrder = [];
  const aliceSeenBob = { v: false };
  for (const op of script) {
    if (op.send !== undefined) {
      const from = parties[op.send];
      const to = parties[other[op.send]];
      const before = from.sessions.raw(to.address);
      check(before !== null, 'sender has a session');
      const ct = await encryptFrom(from, to, op.pt);
      const body = Buffer.from(ct.serialize());
      steps.push({
        from: op.send,
        type: ct.type(),
        body: hex(body),
        plaintext: hex(op.pt),
        sender_session_before: hex(before),
        receiver_session_before: undefined, // filled at delivery
        replayable_from_keys: op.send === 'alice' && !aliceSeenBob.v,
      });
      events.push({ op: 'encrypt', step: steps.length - 1 });
    } else {
      const i = op.deliver;
      const st = steps[i];
      check(st && st.receiver_session_before === undefined, `deliver ${i} once`);
      const from = parties[st.from];
      const to = parties[other[st.from]];
      const before = to.sessions.raw(from.address);
      st.receiver_session_before = before ? hex(before) : null;
      const pt = await decryptAt(to, from, st.type, unhex(st.body));
      check(hex(pt) === st.plaintext, `${name}: step ${i} decrypts`);
      if (st.from === 'bob') aliceSeenBob.v = true;
      events.push({ op: 'decrypt', step: i });
      deliverOrder.push(i);
    }
  }
  check(steps.every((s) => s.receiver_session_before !== undefined), `${name}: all steps delivered`);

  const t = {
    name,
    description,
    now_ms: NOW_MS,
    with_one_time_pre_key: withOpk,
    alice: partyJson(alice),
    bob: partyJson(bob),
    bob_signed_pre_key: {
      id: spk.id,
      private: hex(spk.priv.serialize()),
      public: hex(spk.priv.getPublicKey().serialize()),
      signature: hex(spk.sig),
      timestamp: spk.ts,
    },
    bob_one_time_pre_key: opk ? { id: opk.id, private: hex(opk.priv.serialize()), public: hex(opk.priv.getPublicKey().serialize()) } : null,
    bundle: {
      registration_id: bundle.registrationId(),
      device_id: bundle.deviceId(),
      pre_key_id: bundle.preKeyId(),
      pre_key_public: bundle.preKeyPublic() ? hex(bundle.preKeyPublic().serialize()) : null,
      signed_pre_key_id: bundle.signedPreKeyId(),
      signed_pre_key_public: hex(bundle.signedPreKeyPublic().serialize()),
      signed_pre_key_signature: hex(bundle.signedPreKeySignature()),
      identity_key: hex(bundle.identityKey().serialize()),
    },
    alice_session_after_bundle: hex(aliceAfterBundle),
    steps: steps.map((s) => ({
      from: s.from,
      type: s.type,
      body: s.body,
      plaintext: s.plaintext,
      sender_session_before: s.sender_session_before,
      receiver_session_before: s.receiver_session_before,
      replayable_from_keys: s.replayable_from_keys,
    })),
    deliver_order: deliverOrder,
    events,
  };
  await verifyTranscript(t);
  return t;
}

async function verifyTranscript(t) {
  const parties = { alice: t.alice, bob: t.bob };
  const other = { alice: 'bob', bob: 'alice' };
  // bundle and alice_session_after_bundle consistency
  check(t.bundle.identity_key === t.bob.identity_public, 'bundle identity');
  check(S.PublicKey.deserialize(unhex(t.bundle.identity_key)).verify(unhex(t.bundle.signed_pre_key_public), unhex(t.bundle.signed_pre_key_signature)), 'spk signature');
  const aab = decodeRecord(unhex(t.alice_session_after_bundle));
  check(aab.current && aab.current.pending_pre_key && aab.current.session_version === 3, 'alice after bundle');
  check(eqBuf(unhex(t.steps[0].sender_session_before), unhex(t.alice_session_after_bundle)) || t.steps[0].from !== 'alice',
    'first alice step starts from alice_session_after_bundle');

  for (let i = 0; i < t.steps.length; i++) {
    const st = t.steps[i];
    const sj = parties[st.from];
    const rj = parties[other[st.from]];
    // (c) deterministic re-encryption from sender_session_before
    {
      const sender = await partyFromJson(sj, t);
      const receiver = await partyFromJson(rj, t);
      sender.sessions.setRaw(receiver.address, unhex(st.sender_session_before));
      const ct = await encryptFrom(sender, receiver, unhex(st.plaintext));
      check(ct.type() === st.type, `${t.name} step ${i}: re-encrypt type`);
      check(hex(ct.serialize()) === st.body, `${t.name} step ${i}: re-encrypt is byte-identical`);
    }
    // (b) decrypt from receiver_session_before (plus the recorded prekeys when receiver is bob)
    {
      const sender = await partyFromJson(sj, t);
      const receiver = await partyFromJson(rj, t);
      if (st.receiver_session_before !== null) receiver.sessions.setRaw(sender.address, unhex(st.receiver_session_before));
      else check(st.type === 3 && st.from === 'alice', 'only prekey messages arrive without a session');
      const pt = await decryptAt(receiver, sender, st.type, unhex(st.body));
      check(hex(pt) === st.plaintext, `${t.name} step ${i}: decrypt from receiver_session_before`);
    }
    // type consistency with the wire
    const body = unhex(st.body);
    if (st.type === 3) decodePreKeySignalMessage(body); else decodeSignalMessage(body);
    check(body[0] === 0x34, 'version byte 0x34');
  }
  // (a) fresh Bob from recorded keys only decrypts all replayable steps in event order
  {
    const bob = await partyFromJson(t.bob, t);
    const alice = await partyFromJson(t.alice, t);
    let n = 0;
    for (const ev of t.events) {
      if (ev.op !== 'decrypt') continue;
      const st = t.steps[ev.step];
      if (!st.replayable_from_keys) continue;
      const pt = await decryptAt(bob, alice, st.type, unhex(st.body));
      check(hex(pt) === st.plaintext, `${t.name}: fresh bob replay of step ${ev.step}`);
      n++;
    }
    check(n >= 1, 'at least one replayable step');
    // and the first non-replayable alice step is indeed not decryptable by that fresh bob
    // (its chain depends on Bob's random ratchet key from the original run)
    const nr = t.steps.findIndex((s) => s.from === 'alice' && !s.replayable_from_keys);
    if (nr >= 0) {
      let ok = false;
      try { await decryptAt(bob, alice, t.steps[nr].type, unhex(t.steps[nr].body)); ok = true; } catch (e) { /* expected */ }
      check(!ok, `${t.name}: step ${nr} must not be replayable from keys alone`);
    }
  }
  // deliver_order is a permutation and matches events
  const d = t.events.filter((e) => e.op === 'decrypt').map((e) => e.step);
  check(JSON.stringify(d) === JSON.stringify(t.deliver_order), 'deliver_order matches events');
  check([...d].sort((a, b) => a - b).every((v, k) => v === k) && d.length === t.steps.length, 'deliver_order permutation');
  const e = t.events.filter((x) => x.op === 'encrypt').map((x) => x.step);
  check(e.every((v, k) => v === k), 'encrypt events in step order');
}

async function genTranscripts() {
  const out = [];
  // 1 & 2: ping-pong with and without a one-time prekey
  for (const withOpk of [true, false]) {
    const script = [];
    for (let i = 0; i < 8; i++) {
      const who = i % 2 === 0 ? 'alice' : 'bob';
      script.push({ send: who, pt: txt(`ping-pong turn ${i} from ${who}`) }, { deliver: i });
    }
    out.push(await runTranscript(withOpk ? 'ping_pong_opk' : 'ping_pong_no_opk',
      '8 alternating messages, each delivered immediately (a DH ratchet step on every turn)', withOpk, script));
  }
  // 3: bursts
  {
    const script = [];
    let n = 0;
    const burst = (who, k) => {
      const first = n;
      for (let j = 0; j < k; j++) script.push({ send: who, pt: txt(`burst from ${who} #${j}`) }), n++;
      for (let j = first; j < n; j++) script.push({ deliver: j });
    };
    burst('alice', 5); burst('bob', 5); burst('alice', 5); burst('bob', 1);
    out.push(await runTranscript('bursts_opk',
      'Alice sends 5 (all PreKey messages), Bob 5, Alice 5, Bob 1; each burst is delivered in order after it was sent', true, script));
  }
  // 4: out-of-order delivery across chains
  {
    const P = (s) => txt(s);
    const script = [
      { send: 'alice', pt: P('a0') }, { deliver: 0 },
      { send: 'bob', pt: P('b1') }, { deliver: 1 },
      { send: 'alice', pt: P('a2 (alice chain 2, counter 0)') },
      { send: 'alice', pt: P('a3 (alice chain 2, counter 1)') },
      { send: 'bob', pt: P('b4 (bob chain 1, counter 1)') },
      { deliver: 4 },
      { deliver: 3 }, // bob skips a2
      { send: 'bob', pt: P('b5 (bob chain 2)') }, { deliver: 5 },
      { send: 'alice', pt: P('a6 (alice chain 3)') }, { deliver: 6 },
      { deliver: 2 }, // old alice chain, skipped key
      { send: 'alice', pt: P('a7') }, { send: 'alice', pt: P('a8') }, { send: 'alice', pt: P('a9') },
      { deliver: 9 }, { deliver: 7 }, { deliver: 8 },
      { send: 'bob', pt: P('b10') }, { send: 'bob', pt: P('b11') }, { send: 'bob', pt: P('b12') },
      { deliver: 12 }, { deliver: 10 }, { deliver: 11 },
    ];
    out.push(await runTranscript('out_of_order_opk',
      'Out-of-order delivery within a chain and across chains (a skipped key on an older receiver chain); see deliver_order', true, script));
  }
  // 5: plaintext lengths
  {
    const script = [];
    let n = 0;
    for (const len of [0, 1, 16, 100, 5000]) {
      for (const who of ['alice', 'bob']) {
        script.push({ send: who, pt: rnd(len) }, { deliver: n });
        n++;
      }
    }
    out.push(await runTranscript('plaintext_lengths_no_opk',
      'Random plaintexts of length 0, 1, 16, 100 and 5000 bytes in both directions', false, script));
  }
  // 6: three PreKey messages before Bob replies
  {
    const script = [
      { send: 'alice', pt: txt('prekey message 1') }, { send: 'alice', pt: txt('prekey message 2') },
      { send: 'alice', pt: txt('prekey message 3') },
      { deliver: 0 }, { deliver: 1 }, { deliver: 2 },
      { send: 'bob', pt: txt('bob replies') }, { deliver: 3 },
      { send: 'alice', pt: txt('alice now sends whisper messages') }, { deliver: 4 },
      { send: 'bob', pt: txt('bob again') }, { deliver: 5 },
    ];
    out.push(await runTranscript('three_prekey_then_reply_opk',
      'Alice sends three PreKey messages (counters 0,1,2) before Bob replies; then type-2 messages', true, script));
  }
  // 7: PreKey messages out of order, no one-time prekey
  {
    const script = [
      { send: 'alice', pt: txt('pk0') }, { send: 'alice', pt: txt('pk1') }, { send: 'alice', pt: txt('pk2') },
      { deliver: 2 }, { deliver: 0 }, { deliver: 1 },
      { send: 'bob', pt: txt('reply') }, { deliver: 3 },
      { send: 'alice', pt: txt('after ack') }, { deliver: 4 },
    ];
    out.push(await runTranscript('prekey_out_of_order_no_opk',
      'Three PreKey messages; Bob first decrypts the one with counter 2 (creating the session), then counters 0 and 1', false, script));
  }
  // 8: late PreKey messages arriving after the session moved on
  {
    const script = [
      { send: 'alice', pt: txt('pk0 (late)') }, { send: 'alice', pt: txt('pk1') }, { send: 'alice', pt: txt('pk2 (late)') },
      { deliver: 1 },
      { send: 'bob', pt: txt('bob reply') }, { deliver: 3 },
      { send: 'alice', pt: txt('alice on chain 2') }, { deliver: 4 },
      { deliver: 0 }, { deliver: 2 },
      { send: 'bob', pt: txt('bob chain 2') }, { deliver: 5 },
    ];
    out.push(await runTranscript('late_prekey_messages_opk',
      'Bob decrypts PreKey counter 1 first (uses and removes the one-time prekey), the conversation ratchets on, then the PreKey messages with counters 0 and 2 arrive late', true, script));
  }
  return {
    ...header('Full 1:1 libsignal conversations (version 3, no Kyber) with all keys and per-step session records'),
    transcripts: out,
  };
}

// ---------------------------------------------------------------------------------------------
// 5. messages.json

function deriveMessageKeys(chainKeyHex) {
  const ck = unhex(chainKeyHex);
  const seed = crypto.createHmac('sha256', ck).update(Buffer.from([1])).digest();
  const okm = Buffer.from(crypto.hkdfSync('sha256', seed, Buffer.alloc(32), Buffer.from('WhisperMessageKeys'), 80));
  return { seed, cipher_key: okm.subarray(0, 32), mac_key: okm.subarray(32, 64), iv: okm.subarray(64, 80) };
}

async function genMessages() {
  const genuine = [];
  const addGenuine = async (name, sender, receiver, pt) => {
    const before = sender.sessions.raw(receiver.address);
    const ct = await encryptFrom(sender, receiver, pt);
    const body = Buffer.from(ct.serialize());
    const type = ct.type();
    const rec = decodeRecord(before);
    const chain = rec.current.sender_chain;
    let decoded;
    let inner;
    let innerBuf;
    if (type === 3) {
      decoded = decodePreKeySignalMessage(body);
      inner = decoded.inner;
      innerBuf = unhex(decoded.message);
      const m = S.PreKeySignalMessage.deserialize(body);
      check(m.preKeyId() === decoded.pre_key_id, 'preKeyId accessor');
      check(m.signedPreKeyId() === decoded.signed_pre_key_id, 'signedPreKeyId accessor');
      check(m.registrationId() === decoded.registration_id, 'registrationId accessor');
      check(m.version() === (decoded.version_byte >> 4), 'version accessor');
      check(eqBuf(m.serialize(), body), 'prekey serialize round trip');
      check(decoded.identity_key === hex(sender.identity.publicKey.serialize()), 'identity_key field');
      check(decoded.base_key === rec.current.alice_base_key, 'base_key == alice_base_key in record');
      check(rec.current.pending_pre_key && rec.current.pending_pre_key.base_key === decoded.base_key, 'pending prekey base key');
      check(JSON.stringify(decoded.field_order) === JSON.stringify(decoded.pre_key_id === null ? [2, 3, 4, 5, 6] : [1, 2, 3, 4, 5, 6]), 'prekey field order');
    } else {
      decoded = decodeSignalMessage(body);
      inner = decoded;
      innerBuf = body;
    }
    const sm = S.SignalMessage.deserialize(innerBuf);
    check(sm.counter() === inner.counter, 'counter accessor');
    check(sm.messageVersion() === (inner.version_byte >> 4), 'messageVersion accessor');
    check(hex(sm.body()) === inner.ciphertext, 'body accessor == ciphertext field');
    check(eqBuf(sm.serialize(), innerBuf), 'signal serialize round trip');
    check(JSON.stringify(inner.field_order) === '[1,2,3,4]', 'signal field order');
    const dem = S.DecryptionErrorMessage.forOriginal(body, type, 1234, sender.deviceId);
    check(dem.ratchetKey() && hex(dem.ratchetKey().serialize()) === inner.ratchet_key, 'ratchet key via DecryptionErrorMessage');
    check(inner.ratchet_key === chain.ratchet_public, 'ratchet key == sender chain public key');
    check(inner.counter === chain.chain_key_index, 'counter == sender chain index');
    check(inner.previous_counter === rec.current.previous_counter, 'previous_counter == record previous_counter');
    // message keys from the sender chain key, checked with libsignal verifyMac and AES-CBC
    const mk = deriveMessageKeys(chain.chain_key);
    check(sm.verifyMac(sender.identity.publicKey, receiver.identity.publicKey, mk.mac_key), 'verifyMac with derived mac key');
    const wrongMac = Buffer.from(mk.mac_key); wrongMac[0] ^= 1;
    check(!sm.verifyMac(sender.identity.publicKey, receiver.identity.publicKey, wrongMac), 'verifyMac rejects wrong key');
    const dec = crypto.createDecipheriv('aes-256-cbc', mk.cipher_key, mk.iv);
    const ptOut = Buffer.concat([dec.update(unhex(inner.ciphertext)), dec.final()]);
    check(eqBuf(ptOut, pt), 'AES-CBC decrypt with derived keys');
    const macIn = Buffer.concat([sender.identity.publicKey.serialize(), receiver.identity.publicKey.serialize(), innerBuf.subarray(0, innerBuf.length - 8)]);
    const mac = crypto.createHmac('sha256', mk.mac_key).update(macIn).digest().subarray(0, 8);
    check(hex(mac) === inner.mac, 'MAC construction');
    // deliver it so the conversation can go on
    const got = await decryptAt(receiver, sender, type, body);
    check(eqBuf(got, pt), 'genuine message decrypts');
    const innerOut = { ...inner };
    delete innerOut.field_order;
    const entry = {
      name,
      type,
      body: hex(body),
      plaintext: hex(pt),
      sender_identity_key: hex(sender.identity.publicKey.serialize()),
      receiver_identity_key: hex(receiver.identity.publicKey.serialize()),
      signal_message: innerOut,
      pre_key: null,
      message_keys: {
        chain_key_index: chain.chain_key_index,
        chain_key: chain.chain_key,
        cipher_key: hex(mk.cipher_key),
        mac_key: hex(mk.mac_key),
        iv: hex(mk.iv),
      },
      libsignal: {
        counter: sm.counter(),
        message_version: sm.messageVersion(),
        body: hex(sm.body()),
        ratchet_key: hex(dem.ratchetKey().serialize()),
        verify_mac_with_mac_key: true,
        pre_key_id: null,
        signed_pre_key_id: null,
        registration_id: null,
        version: null,
      },
    };
    if (type === 3) {
      const m = S.PreKeySignalMessage.deserialize(body);
      entry.pre_key = {
        version_byte: decoded.version_byte,
        registration_id: decoded.registration_id,
        pre_key_id: decoded.pre_key_id,
        signed_pre_key_id: decoded.signed_pre_key_id,
        base_key: decoded.base_key,
        identity_key: decoded.identity_key,
        message: decoded.message,
      };
      Object.assign(entry.libsignal, {
        pre_key_id: m.preKeyId(), signed_pre_key_id: m.signedPreKeyId(), registration_id: m.registrationId(), version: m.version(),
      });
    }
    genuine.push(entry);
    return body;
  };

  const s1 = await setupPair(true);
  const firstPreKey = await addGenuine('prekey_with_opk_counter_0', s1.alice, s1.bob, txt('first prekey message'));
  await addGenuine('prekey_with_opk_counter_1', s1.alice, s1.bob, rnd(40));
  const firstWhisper = await addGenuine('whisper_bob_counter_0', s1.bob, s1.alice, txt('bob first reply'));
  await addGenuine('whisper_bob_counter_1', s1.bob, s1.alice, rnd(17));
  await addGenuine('whisper_bob_counter_2', s1.bob, s1.alice, rnd(0));
  await addGenuine('whisper_alice_after_ratchet_prev_counter', s1.alice, s1.bob, txt('alice after ratchet'));
  await addGenuine('whisper_bob_new_chain_prev_counter', s1.bob, s1.alice, rnd(100));
  const s2 = await setupPair(false);
  await addGenuine('prekey_without_opk', s2.alice, s2.bob, txt('no one-time prekey'));
  // a counter >= 128 (multi-byte varint)
  for (let i = 0; i < 130; i++) await encryptFrom(s2.alice, s2.bob, txt('x')).then((ct) => decryptAt(s2.bob, s2.alice, ct.type(), ct.serialize()));
  await addGenuine('prekey_counter_131_multibyte_varint', s2.alice, s2.bob, txt('counter > 127'));

  // ---- malformed cases
  const malformed = [];
  const tryParse = (name, kind, input, note) => {
    const buf = Buffer.from(input);
    let accepted = false;
    let error = null;
    let accessors = null;
    try {
      if (kind === 'signal') {
        const m = S.SignalMessage.deserialize(buf);
        accessors = { counter: m.counter(), message_version: m.messageVersion(), body: hex(m.body()) };
      } else {
        const m = S.PreKeySignalMessage.deserialize(buf);
        accessors = { version: m.version(), registration_id: m.registrationId(), pre_key_id: m.preKeyId(), signed_pre_key_id: m.signedPreKeyId() };
      }
      accepted = true;
    } catch (e) {
      error = errInfo(e).message;
    }
    malformed.push({ name, kind, input: hex(buf), accepted, error, libsignal_accessors: accessors, note: note || null });
  };
  const w = decodeSignalMessage(firstWhisper);
  const wMac = unhex(w.mac);
  const sigMsg = (fields, vb = 0x34, mac = wMac) => Buffer.concat([Buffer.from([vb]), pbEncode(fields), mac]);
  const F = {
    rk: [1, 'bytes', unhex(w.ratchet_key)],
    ctr: [2, 'varint', w.counter],
    prev: [3, 'varint', w.previous_counter],
    ct: [4, 'bytes', unhex(w.ciphertext)],
  };
  tryParse('signal_genuine', 'signal', firstWhisper, 'genuine message, for reference');
  tryParse('signal_empty', 'signal', Buffer.alloc(0));
  tryParse('signal_1_byte', 'signal', Buffer.from([0x34]));
  tryParse('signal_8_bytes', 'signal', Buffer.concat([Buffer.from([0x34]), rnd(7)]));
  tryParse('signal_9_bytes_empty_protobuf', 'signal', Buffer.concat([Buffer.from([0x34]), rnd(8)]), 'version byte + empty protobuf + 8-byte MAC');
  for (const vb of [0x04, 0x14, 0x24, 0x23, 0x33, 0x3f, 0x44, 0x54, 0xf4]) {
    tryParse(`signal_version_${vb.toString(16).padStart(2, '0')}`, 'signal', Buffer.concat([Buffer.from([vb]), firstWhisper.subarray(1)]), 'genuine message with the version byte replaced');
  }
  tryParse('signal_missing_ratchet_key', 'signal', sigMsg([F.ctr, F.prev, F.ct]));
  tryParse('signal_missing_counter', 'signal', sigMsg([F.rk, F.prev, F.ct]));
  tryParse('signal_missing_previous_counter', 'signal', sigMsg([F.rk, F.ctr, F.ct]), 'previous_counter is optional');
  tryParse('signal_missing_ciphertext', 'signal', sigMsg([F.rk, F.ctr, F.prev]));
  tryParse('signal_fields_reversed', 'signal', sigMsg([F.ct, F.prev, F.ctr, F.rk]), 'decoders must accept any field order');
  tryParse('signal_unknown_field_5', 'signal', sigMsg([F.rk, F.ctr, F.prev, F.ct, [5, 'bytes', rnd(4)]]), 'field 5 (pq_ratchet in later versions) is unknown in 0.65.4');
  tryParse('signal_unknown_field_15_varint', 'signal', sigMsg([F.rk, F.ctr, F.prev, F.ct, [15, 'varint', 7]]));
  tryParse('signal_ratchet_key_32_bytes', 'signal', sigMsg([[1, 'bytes', unhex(w.ratchet_key).subarray(1)], F.ctr, F.prev, F.ct]), 'ratchet key without the 0x05 type byte');
  tryParse('signal_ratchet_key_type_06', 'signal', sigMsg([[1, 'bytes', Buffer.concat([Buffer.from([6]), unhex(w.ratchet_key).subarray(1)])], F.ctr, F.prev, F.ct]));
  tryParse('signal_ratchet_key_34_bytes', 'signal', sigMsg([[1, 'bytes', Buffer.concat([unhex(w.ratchet_key), Buffer.from([0])])], F.ctr, F.prev, F.ct]), 'ratchet key with a trailing byte');
  tryParse('signal_empty_ciphertext', 'signal', sigMsg([F.rk, F.ctr, F.prev, [4, 'bytes', Buffer.alloc(0)]]));
  tryParse('signal_counter_max_u32', 'signal', sigMsg([F.rk, [2, 'varint', 0xffffffff], F.prev, F.ct]));
  tryParse('signal_counter_2_pow_32', 'signal', sigMsg([F.rk, [2, 'varint', 0x100000000], F.prev, F.ct]), 'counter does not fit in uint32');
  tryParse('signal_counter_wrong_wire_type', 'signal', sigMsg([F.rk, [2, 'bytes', Buffer.from([1])], F.prev, F.ct]), 'counter encoded as length-delimited');
  tryParse('signal_truncated_varint', 'signal', Buffer.concat([Buffer.from([0x34]), pbEncode([F.rk]), Buffer.from([0x10, 0x80]), wMac]), 'protobuf ends inside the counter varint');
  tryParse('signal_truncated_length', 'signal', Buffer.concat([Buffer.from([0x34]), pbEncode([F.rk, F.ctr, F.prev]), Buffer.from([0x22, 0x40, 0x00, 0x01]), wMac]), 'ciphertext length 64 but only 2 bytes follow');
  tryParse('signal_mac_zeroed', 'signal', Buffer.concat([firstWhisper.subarray(0, firstWhisper.length - 8), Buffer.alloc(8)]), 'the MAC is only checked at decrypt time');
  tryParse('signal_garbage', 'signal', Buffer.concat([Buffer.from([0x34]), rnd(48)]));
  tryParse('signal_garbage_ff', 'signal', Buffer.concat([Buffer.from([0x34]), Buffer.alloc(40, 0xff)]));

  const p = decodePreKeySignalMessage(firstPreKey);
  const P = {
    pk: [1, 'varint', p.pre_key_id],
    base: [2, 'bytes', unhex(p.base_key)],
    id: [3, 'bytes', unhex(p.identity_key)],
    msg: [4, 'bytes', unhex(p.message)],
    reg: [5, 'varint', p.registration_id],
    spk: [6, 'varint', p.signed_pre_key_id],
  };
  const pkMsg = (fields, vb = 0x34) => Buffer.concat([Buffer.from([vb]), pbEncode(fields)]);
  tryParse('prekey_genuine', 'prekey', firstPreKey, 'genuine message, for reference');
  tryParse('prekey_empty', 'prekey', Buffer.alloc(0));
  tryParse('prekey_1_byte', 'prekey', Buffer.from([0x34]));
  tryParse('prekey_8_bytes', 'prekey', Buffer.concat([Buffer.from([0x34]), rnd(7)]));
  tryParse('prekey_9_bytes', 'prekey', Buffer.concat([Buffer.from([0x34]), rnd(8)]));
  for (const vb of [0x04, 0x14, 0x24, 0x23, 0x33, 0x3f, 0x44, 0x54, 0xf4]) {
    tryParse(`prekey_version_${vb.toString(16).padStart(2, '0')}`, 'prekey', Buffer.concat([Buffer.from([vb]), firstPreKey.subarray(1)]), 'genuine message with the outer version byte replaced');
  }
  tryParse('prekey_missing_pre_key_id', 'prekey', pkMsg([P.base, P.id, P.msg, P.reg, P.spk]), 'pre_key_id is optional');
  tryParse('prekey_missing_base_key', 'prekey', pkMsg([P.pk, P.id, P.msg, P.reg, P.spk]));
  tryParse('prekey_missing_identity_key', 'prekey', pkMsg([P.pk, P.base, P.msg, P.reg, P.spk]));
  tryParse('prekey_missing_message', 'prekey', pkMsg([P.pk, P.base, P.id, P.reg, P.spk]));
  tryParse('prekey_missing_registration_id', 'prekey', pkMsg([P.pk, P.base, P.id, P.msg, P.spk]), 'registration_id is optional (0)');
  tryParse('prekey_missing_signed_pre_key_id', 'prekey', pkMsg([P.pk, P.base, P.id, P.msg, P.reg]));
  tryParse('prekey_fields_reversed', 'prekey', pkMsg([P.spk, P.reg, P.msg, P.id, P.base, P.pk]));
  tryParse('prekey_kyber_id_only', 'prekey', pkMsg([P.pk, P.base, P.id, P.msg, P.reg, P.spk, [7, 'varint', 5]]), 'kyber_pre_key_id without kyber_ciphertext');
  tryParse('prekey_kyber_ciphertext_only', 'prekey', pkMsg([P.pk, P.base, P.id, P.msg, P.reg, P.spk, [8, 'bytes', rnd(16)]]), 'kyber_ciphertext without kyber_pre_key_id');
  tryParse('prekey_unknown_field_9', 'prekey', pkMsg([P.pk, P.base, P.id, P.msg, P.reg, P.spk, [9, 'bytes', rnd(3)]]));
  tryParse('prekey_inner_message_9_bytes', 'prekey', pkMsg([P.pk, P.base, P.id, [4, 'bytes', Buffer.concat([Buffer.from([0x34]), rnd(8)])], P.reg, P.spk]));
  tryParse('prekey_inner_message_empty', 'prekey', pkMsg([P.pk, P.base, P.id, [4, 'bytes', Buffer.alloc(0)], P.reg, P.spk]));
  tryParse('prekey_inner_version_24', 'prekey', pkMsg([P.pk, P.base, P.id, [4, 'bytes', Buffer.concat([Buffer.from([0x24]), unhex(p.message).subarray(1)])], P.reg, P.spk]));
  tryParse('prekey_inner_version_44', 'prekey', pkMsg([P.pk, P.base, P.id, [4, 'bytes', Buffer.concat([Buffer.from([0x44]), unhex(p.message).subarray(1)])], P.reg, P.spk]), 'inner version differs from the outer one');
  tryParse('prekey_base_key_32_bytes', 'prekey', pkMsg([P.pk, [2, 'bytes', unhex(p.base_key).subarray(1)], P.id, P.msg, P.reg, P.spk]));
  tryParse('prekey_identity_key_type_06', 'prekey', pkMsg([P.pk, P.base, [3, 'bytes', Buffer.concat([Buffer.from([6]), unhex(p.identity_key).subarray(1)])], P.msg, P.reg, P.spk]));
  tryParse('prekey_truncated_varint', 'prekey', Buffer.concat([Buffer.from([0x34]), pbEncode([P.pk, P.base, P.id, P.msg, P.reg]), Buffer.from([0x30, 0xff])]), 'protobuf ends inside the signed_pre_key_id varint');
  tryParse('prekey_truncated_length', 'prekey', Buffer.concat([Buffer.from([0x34]), pbEncode([P.pk, P.base, P.id]), Buffer.from([0x22, 0x7f, 0x34])]));
  tryParse('prekey_garbage', 'prekey', Buffer.concat([Buffer.from([0x34]), rnd(80)]));
  tryParse('prekey_whisper_body', 'prekey', firstWhisper, 'a genuine SignalMessage body parsed as a PreKeySignalMessage');
  tryParse('signal_prekey_body', 'signal', firstPreKey, 'a genuine PreKeySignalMessage body parsed as a SignalMessage');

  // self-checks on expectations
  const acc = Object.fromEntries(malformed.map((m) => [m.name, m.accepted]));
  for (const n of ['signal_genuine', 'prekey_genuine', 'signal_missing_previous_counter', 'signal_fields_reversed', 'prekey_missing_pre_key_id', 'prekey_missing_registration_id', 'prekey_fields_reversed']) check(acc[n] === true, `${n} accepted`);
  for (const n of ['signal_empty', 'signal_1_byte', 'signal_8_bytes', 'signal_9_bytes_empty_protobuf', 'signal_version_24', 'signal_version_54', 'signal_missing_ratchet_key', 'signal_missing_counter', 'signal_missing_ciphertext', 'signal_truncated_varint',
    'prekey_empty', 'prekey_version_24', 'prekey_version_54', 'prekey_missing_base_key', 'prekey_missing_identity_key', 'prekey_missing_message', 'prekey_missing_signed_pre_key_id', 'prekey_truncated_varint']) check(acc[n] === false, `${n} rejected`);

  return {
    ...header('SignalMessage / PreKeySignalMessage wire parsing: genuine messages with decoded fields and message keys, and malformed inputs'),
    genuine,
    malformed,
  };
}

// ---------------------------------------------------------------------------------------------
// 6. sessions.json

async function genSessions() {
  const records = [];
  const add = (name, description, buf, extra = {}) => {
    buf = Buffer.from(buf);
    const decoded = decodeRecord(buf);
    const rec = S.SessionRecord.deserialize(buf);
    check(eqBuf(rec.serialize(), buf), `${name}: libsignal round trip`);
    check(eqBuf(encodeRecord(decoded), buf), `${name}: own re-encoding is byte-identical`);
    check(decoded.unknown_fields.length === 0, 'no unknown record fields');
    for (const st of [decoded.current, ...decoded.previous].filter(Boolean)) {
      check(st.unknown_fields.length === 0, 'no unknown state fields');
      if (st.sender_chain) check(st.sender_chain.unknown_fields.length === 0, 'no unknown chain fields');
    }
    const cur = decoded.current;
    const lib = {
      has_current_state: rec.hasCurrentState(NOW),
      local_registration_id: null,
      remote_registration_id: null,
      current_ratchet_key_matches_sender_chain: null,
    };
    if (cur) {
      lib.local_registration_id = rec.localRegistrationId();
      lib.remote_registration_id = rec.remoteRegistrationId();
      check(lib.local_registration_id === cur.local_registration_id, 'local reg id');
      check(lib.remote_registration_id === cur.remote_registration_id, 'remote reg id');
      if (cur.sender_chain) {
        lib.current_ratchet_key_matches_sender_chain = rec.currentRatchetKeyMatches(S.PublicKey.deserialize(unhex(cur.sender_chain.ratchet_public)));
        check(lib.current_ratchet_key_matches_sender_chain, 'currentRatchetKeyMatches');
        // the private half matches the public half
        check(hex(S.PrivateKey.deserialize(unhex(cur.sender_chain.ratchet_private)).getPublicKey().serialize()) === cur.sender_chain.ratchet_public, 'sender ratchet pair');
      }
    }
    const strip = (st) => {
      if (!st) return null;
      const o = { ...st };
      delete o.field_order; delete o.unknown_fields;
      const ch = (c) => { const x = { ...c }; delete x.unknown_fields; return x; };
      o.sender_chain = st.sender_chain ? ch(st.sender_chain) : null;
      o.receiver_chains = st.receiver_chains.map(ch);
      return o;
    };
    records.push({
      name,
      description,
      record: hex(buf),
      summary: {
        has_current: !!cur,
        session_version: cur ? cur.session_version : null,
        root_key: cur ? cur.root_key : null,
        previous_counter: cur ? cur.previous_counter : null,
        sender_chain_key_index: cur && cur.sender_chain ? cur.sender_chain.chain_key_index : null,
        receiver_chain_count: cur ? cur.receiver_chains.length : null,
        skipped_message_key_count: cur ? cur.receiver_chains.reduce((a, c) => a + c.message_keys.length, 0) : null,
        has_pending_pre_key: cur ? cur.pending_pre_key !== null : null,
        previous_state_count: decoded.previous.length,
      },
      decoded: { current: strip(decoded.current), previous: decoded.previous.map(strip) },
      libsignal: lib,
      pending_messages: extra.pending_messages || [],
    });
  };

  const s = await setupPair(true);
  add('alice_after_bundle_opk', 'Alice right after processPreKeyBundle (pending prekey with one-time prekey id; receiver chain = Bob signed prekey)', s.aliceAfterBundle);
  const c0 = await encryptFrom(s.alice, s.bob, txt('hello'));
  await decryptAt(s.bob, s.alice, c0.type(), c0.serialize());
  add('bob_after_first_prekey_message', 'Bob right after decrypting the first PreKey message', s.bob.sessions.raw(s.alice.address));
  // Bob sends 3, Alice gets only the last (2 skipped keys), then Alice replies twice
  const bs = [];
  for (let i = 0; i < 3; i++) bs.push(await encryptFrom(s.bob, s.alice, txt(`b${i}`)));
  await decryptAt(s.alice, s.bob, bs[2].type(), bs[2].serialize());
  add('alice_with_skipped_keys', 'Alice after receiving only the 3rd of 3 Bob messages (2 skipped message keys stored, pending prekey cleared)', s.alice.sessions.raw(s.bob.address),
    { pending_messages: bs.slice(0, 2).map((m) => ({ type: m.type(), body: hex(m.serialize()) })) });
  // verify those pending messages decrypt from that record (they will, since the store has it)
  for (const m of bs.slice(0, 2)) await decryptAt(s.alice, s.bob, m.type(), m.serialize());
  for (let i = 0; i < 2; i++) {
    const m = await encryptFrom(s.alice, s.bob, txt(`a${i}`));
    await decryptAt(s.bob, s.alice, m.type(), m.serialize());
  }
  add('alice_after_two_sends', 'Alice after sending 2 messages on a new chain (sender chain index 2)', s.alice.sessions.raw(s.bob.address));
  // many ratchets: more than 5 receiver chains at Bob
  for (let i = 0; i < 7; i++) {
    const m1 = await encryptFrom(s.bob, s.alice, txt(`bb${i}`));
    await decryptAt(s.alice, s.bob, m1.type(), m1.serialize());
    const m2 = await encryptFrom(s.alice, s.bob, txt(`aa${i}`));
    await decryptAt(s.bob, s.alice, m2.type(), m2.serialize());
  }
  add('bob_after_many_ratchets', 'Bob after 7 more round trips (receiver chains capped at 5)', s.bob.sessions.raw(s.alice.address));
  // a second bundle: old state archived into previous_sessions
  {
    const spkPriv = S.PrivateKey.deserialize(rnd(32));
    const spkId = rndInt(1, 0xffffff);
    const sig = s.bob.identity.privateKey.sign(spkPriv.getPublicKey().serialize());
    await s.bob.signedPreKeys.saveSignedPreKey(spkId, S.SignedPreKeyRecord.new(spkId, NOW_MS, spkPriv.getPublicKey(), spkPriv, sig));
    const b2 = S.PreKeyBundle.new(s.bob.regId, s.bob.deviceId, null, null, spkId, spkPriv.getPublicKey(), sig, s.bob.identity.publicKey, null, null, null);
    await S.processPreKeyBundle(b2, s.bob.address, s.alice.sessions, s.alice.ids, NOW);
    add('alice_after_second_bundle', 'Alice after processing a second bundle (no one-time prekey): new current state, old state archived as previous_sessions[0]', s.alice.sessions.raw(s.bob.address));
    const m = await encryptFrom(s.alice, s.bob, txt('new session'));
    await decryptAt(s.bob, s.alice, m.type(), m.serialize());
    add('bob_after_second_session', 'Bob after receiving the PreKey message of the second session (previous state archived)', s.bob.sessions.raw(s.alice.address));
  }
  {
    const rec = S.SessionRecord.deserialize(s.alice.sessions.raw(s.bob.address));
    rec.archiveCurrentState();
    add('alice_archived_current', 'Alice record after SessionRecord.archiveCurrentState(): no current state, 2 previous states', rec.serialize());
  }
  return {
    ...header('libsignal SessionRecord serializations (storage.proto) with the decoded structure'),
    now_ms: NOW_MS,
    records,
  };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const files = {
    'keys.json': await genKeys(),
    'xeddsa.json': await genXeddsa(),
    'fingerprints.json': await genFingerprints(),
    'transcripts.json': await genTranscripts(),
    'messages.json': await genMessages(),
    'sessions.json': await genSessions(),
  };
  let total = 0;
  for (const [name, obj] of Object.entries(files)) {
    const text = JSON.stringify(obj, null, 1) + '\n';
    // lowercase hex everywhere: JSON.stringify of Buffer.toString('hex') is lowercase already
    fs.writeFileSync(path.join(OUT_DIR, name), text);
    total += text.length;
    console.log(`${name}: ${text.length} bytes`);
  }
  console.log(`total: ${total} bytes`);
}

main().catch((e) => { console.error(e); process.exit(1); });
