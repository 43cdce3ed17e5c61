'use strict';
// Conversation helpers shared by the scenarios.
const P = require('./proto');
const { fail, eqBuf, expectError, checkSignalWire, checkPreKeyWire } = require('./util');

// Encrypt `pt` from `from` to `to`; check the wire format of the result and,
// if given, the expected type / counter / previous_counter / prekey ids.
async function send(from, to, pt, exp = {}) {
  const msg = await from.encrypt(to.address, to.deviceId, pt, exp.opts);
  const what = exp.what || `${from} -> ${to} message`;
  if (exp.type !== undefined && msg.type !== exp.type) fail(`${what}: type ${msg.type}, expected ${exp.type}`);
  if (msg.type === 3) {
    checkPreKeyWire(msg.body, { sender: from, ptLen: pt.length, counter: exp.counter, prev: exp.prev, preKeyId: exp.preKeyId, signedPreKeyId: exp.signedPreKeyId, what });
  } else if (msg.type === 2) {
    checkSignalWire(msg.body, { ptLen: pt.length, counter: exp.counter, prev: exp.prev, what });
  } else {
    fail(`${what}: type ${msg.type} is neither 2 nor 3`);
  }
  return { from, to, type: msg.type, body: msg.body, pt: Buffer.from(pt) };
}

// Deliver a message (or a variant: {body, type}) and check the plaintext.
async function recv(msg, { body, type, what, opts } = {}) {
  const out = await msg.to.decrypt(msg.from.address, msg.from.deviceId, type !== undefined ? type : msg.type, body || msg.body, opts);
  eqBuf(out, msg.pt, what || `${msg.to} decrypting a type-${msg.type} message from ${msg.from}`);
  return out;
}

// Deliver and require failure with `code`.
async function recvFail(msg, code, { body, type, what, libCode } = {}) {
  return expectError(
    msg.to.decrypt(msg.from.address, msg.from.deviceId, type !== undefined ? type : msg.type, body || msg.body),
    code, what || `${msg.to} decrypting a tampered/invalid message from ${msg.from}`, { libCode });
}

// B publishes a bundle, A processes it.
async function establish(A, B, { signedPrekeyId = 7, prekeyId = 31 } = {}) {
  const bundle = await B.generateBundle({ signedPrekeyId, prekeyId });
  await A.processBundle(B.address, B.deviceId, bundle);
  return bundle;
}

// Establish and acknowledge: A -> B (type 3), B -> A (type 2), A decrypts.
async function handshake(A, B, rng, opts = {}) {
  const bundle = await establish(A, B, opts);
  const m1 = await send(A, B, rng.bytes(20), { type: 3 });
  await recv(m1);
  const r1 = await send(B, A, rng.bytes(20), { type: 2 });
  await recv(r1);
  return bundle;
}

// Hex of the sender ratchet key carried by a message (inner message for type 3).
function ratchetKeyOf(msg) {
  const sm = msg.type === 3 ? P.parseSignalMessage(P.parsePreKeyMessage(msg.body).message) : P.parseSignalMessage(msg.body);
  return sm.ratchetKey.toString('hex');
}

// Counter of a message (inner message for type 3).
function counterOf(msg) {
  const sm = msg.type === 3 ? P.parseSignalMessage(P.parsePreKeyMessage(msg.body).message) : P.parseSignalMessage(msg.body);
  return sm.counter;
}

module.exports = { send, recv, recvFail, establish, handshake, ratchetKeyOf, counterOf };
