'use strict';
const crypto = require('crypto');
const { PartyError, DriverFault, CheckFailed } = require('./errors');
const P = require('./proto');

function fail(msg) { throw new CheckFailed(msg); }

function hexShort(buf, n = 24) {
  const h = Buffer.from(buf).toString('hex');
  return h.length > n * 2 ? `${h.slice(0, n * 2)}…(${buf.length} bytes)` : h;
}

function eqBuf(actual, expected, what) {
  if (!Buffer.isBuffer(actual)) fail(`${what}: expected bytes, got ${typeof actual}`);
  if (!actual.equals(expected)) {
    fail(`${what}: got ${actual.length} bytes ${hexShort(actual)}, expected ${expected.length} bytes ${hexShort(expected)}`);
  }
}

function eq(actual, expected, what) {
  if (actual !== expected) fail(`${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

// Await p and require it to fail with PartyError `code` (or one of `code` if an array).
async function expectError(p, code, what, { libCode } = {}) {
  let res;
  try {
    res = await p;
  } catch (e) {
    if (e instanceof DriverFault) throw e;
    if (!(e instanceof PartyError)) throw e;
    const codes = Array.isArray(code) ? code : [code];
    if (!codes.includes(e.code)) fail(`${what}: got error ${e.code} (${e.detail}), expected ${codes.join(' or ')}`);
    if (libCode !== undefined && e.libCode !== undefined && e.libCode !== libCode) {
      fail(`${what}: libsignal error code ${e.libCode} (${e.detail}), expected ${libCode}`);
    }
    return e;
  }
  const shown = Buffer.isBuffer(res) ? `${res.length} bytes` : JSON.stringify(res);
  fail(`${what}: succeeded (${shown && shown.slice(0, 80)}), expected error ${Array.isArray(code) ? code.join(' or ') : code}`);
  return null;
}

// Deterministic PRNG (xorshift128+) so a failing order can be reproduced with --seed.
class Rng {
  constructor(seed) {
    const h = crypto.createHash('sha256').update(String(seed)).digest();
    this.s0 = h.readBigUInt64LE(0) | 1n;
    this.s1 = h.readBigUInt64LE(8) | 1n;
  }
  nextU64() {
    const M = (1n << 64n) - 1n;
    let s1 = this.s0;
    const s0 = this.s1;
    this.s0 = s0;
    s1 ^= (s1 << 23n) & M;
    this.s1 = s1 ^ s0 ^ (s1 >> 17n) ^ (s0 >> 26n);
    return (this.s1 + s0) & M;
  }
  int(n) { return Number(this.nextU64() % BigInt(n)); }
  bytes(n) {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i += 8) {
      const v = this.nextU64();
      for (let j = 0; j < 8 && i + j < n; j++) b[i + j] = Number((v >> BigInt(8 * j)) & 0xffn);
    }
    return b;
  }
  shuffle(arr) {
    const a = arr.slice();
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
  pick(arr) { return arr[this.int(arr.length)]; }
}

// ---- wire-format checks on a message as emitted by a sender ----
// Every message either party emits is checked: libsignal's output validates the
// checker, the driver's output is held to libsignal's exact encoding.
function checkSignalWire(body, { ptLen, counter, prev, what = 'SignalMessage' } = {}) {
  if (body.length < 9) fail(`${what}: ${body.length} bytes, too short`);
  if (body[0] !== 0x34) fail(`${what}: version byte 0x${body[0].toString(16)}, expected 0x34`);
  let m;
  try {
    m = P.parseSignalMessage(body);
  } catch (e) {
    fail(`${what}: does not parse: ${e.message}`);
  }
  const nums = m.fields.map((f) => f.num).join(',');
  if (nums !== '1,2,3,4') fail(`${what}: protobuf fields ${nums}, expected 1,2,3,4 (all written, tag order)`);
  if (!m.ratchetKey || m.ratchetKey.length !== 33 || m.ratchetKey[0] !== 5) fail(`${what}: ratchet_key ${m.ratchetKey && hexShort(m.ratchetKey)} is not a 33-byte 0x05 key`);
  if (!P.canonicalSignalProto(m).equals(m.proto)) fail(`${what}: protobuf is not libsignal's canonical encoding: ${hexShort(m.proto, 48)}`);
  if (ptLen !== undefined) {
    const want = 16 * Math.floor(ptLen / 16) + 16;
    if (m.ciphertext.length !== want) fail(`${what}: ciphertext ${m.ciphertext.length} bytes for a ${ptLen}-byte plaintext, expected ${want} (AES-CBC/PKCS#7)`);
  }
  if (counter !== undefined && m.counter !== counter) fail(`${what}: counter ${m.counter}, expected ${counter}`);
  if (prev !== undefined && m.previousCounter !== prev) fail(`${what}: previous_counter ${m.previousCounter}, expected ${prev}`);
  return m;
}

function checkPreKeyWire(body, { sender, ptLen, counter, prev, preKeyId, signedPreKeyId, what = 'PreKeySignalMessage' } = {}) {
  if (body.length < 1 || body[0] !== 0x34) fail(`${what}: version byte ${body.length ? `0x${body[0].toString(16)}` : 'missing'}, expected 0x34`);
  let m;
  try {
    m = P.parsePreKeyMessage(body);
  } catch (e) {
    fail(`${what}: does not parse: ${e.message}`);
  }
  if (!P.canonicalPreKeyProto(m).equals(body.subarray(1))) {
    fail(`${what}: protobuf is not libsignal's canonical encoding (fields ${m.fields.map((f) => f.num).join(',')})`);
  }
  if (!m.baseKey || m.baseKey.length !== 33 || m.baseKey[0] !== 5) fail(`${what}: base_key is not a 33-byte 0x05 key`);
  if (sender && sender.identityKey && !(m.identityKey && m.identityKey.equals(sender.identityKey))) fail(`${what}: identity_key is not the sender's identity key`);
  if (sender && m.registrationId !== sender.registrationId) fail(`${what}: registration_id ${m.registrationId}, expected ${sender.registrationId}`);
  if (preKeyId !== undefined && m.preKeyId !== (preKeyId === null ? undefined : preKeyId)) fail(`${what}: pre_key_id ${m.preKeyId}, expected ${preKeyId}`);
  if (signedPreKeyId !== undefined && m.signedPreKeyId !== signedPreKeyId) fail(`${what}: signed_pre_key_id ${m.signedPreKeyId}, expected ${signedPreKeyId}`);
  const inner = checkSignalWire(m.message, { ptLen, counter, prev, what: `${what} inner SignalMessage` });
  return { outer: m, inner };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = { fail, eq, eqBuf, expectError, Rng, hexShort, checkSignalWire, checkPreKeyWire, sleep, PartyError, DriverFault, CheckFailed };
