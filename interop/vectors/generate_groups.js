#!/usr/bin/env node
// Known-answer vectors for sender keys (group messages), from libsignal.
//
// Run from the repository root:   node interop/vectors/generate_groups.js
//
// Writes interop/vectors/groups.json from the real @signalapp/libsignal-client 0.65.4 (public npm
// API, plus SenderKeyDistributionMessage._new / SenderKeyMessage._new to make SKDMs and messages with
// chosen fields). Inputs are random; the layout (keys, case names, order, counts) is fixed. Every
// value is re-checked against libsignal before the file is written; a failed check exits non-zero
// and writes nothing. Facts sheet §6 and §7 describe the formats.
//
// Schema (binary values are lowercase hex; see README.md "Conventions"):
//
// { source, generated_by, description,
//   chains: [ {                       // one libsignal sender chain and one libsignal receiver
//     name, sender: {name, device_id}, distribution_id (UUID text, lowercase),
//     skdm,                           // SenderKeyDistributionMessage.create on a new record (iteration 0)
//     chain_id, chain_key, signing_key, // its fields (signing_key: 33-byte public key)
//     sender_record,                  // the sender's SenderKeyRecord right after create
//     sends: [ {plaintext, record_before, message, record_after} ],
//                                     // groupEncrypt number i: message i (iteration i); the sender's
//                                     // record before and after. XEdDSA is randomized: a re-encryption
//                                     // matches `message` except its last 64 bytes (the signature).
//     skdm_after,                     // SenderKeyDistributionMessage.create again after all sends
//     receiver_record,                // the receiver's record after processing `skdm`
//     deliveries: [ {message, result, plaintext, record_after} ]
//                                     // the receiver's groupDecrypt of sends[message], in this order;
//                                     // result "ok" | "duplicate_message"; record_after is the
//                                     // receiver's record after the step (unchanged on failure)
//   } ],
//   state_sequences: [ {              // processSenderKeyDistributionMessage steps from an empty store,
//     name, sender, distribution_id,  // all under one (sender, distribution id)
//     steps: [ {what, skdm, record_after} ] } ],
//   skdm_parsing: [ {name, input, accepted, error, record_after} ]
//                                     // process `input` as from chains[0].sender into an empty store;
//                                     // record_after: the stored record, or null when refused
//   decrypt_cases: [ {name, holder, sender, record, input, result, plaintext, error, record_after} ]
//                                     // `record` stored under (holder, chains[0].distribution_id);
//                                     // groupDecrypt(sender, input). result: "ok", "duplicate_message",
//                                     // "invalid_message" or "no_session" (the driver contract's codes
//                                     // for libsignal's error); record_after: the record after success,
//                                     // null on failure (nothing changes) or when it is too large to
//                                     // keep (the 25,000-ahead case)
// }

'use strict';

const path = require('path');
const fs = require('fs');
const crypto = require('crypto');

const ROOT = path.resolve(__dirname, '..', '..');
const S = require(path.join(ROOT, 'interop', 'node_modules', '@signalapp', 'libsignal-client'));
const PKG_VERSION = require(path.join(ROOT, 'interop', 'node_modules', '@signalapp', 'libsignal-client', 'package.json')).version;

const SOURCE = `@signalapp/libsignal-client ${PKG_VERSION}`;
const GENERATED_BY = 'interop/vectors/generate_groups.js';
const OUT_FILE = path.join(__dirname, 'groups.json');

if (PKG_VERSION !== '0.65.4') throw new Error(`expected @signalapp/libsignal-client 0.65.4, found ${PKG_VERSION}`);

const { ProtocolAddress, PrivateKey, SenderKeyRecord, SenderKeyDistributionMessage, SenderKeyMessage } = S;

// ---------------------------------------------------------------------------------------------
// helpers

const hex = (b) => Buffer.from(b).toString('hex');
const rnd = (n) => crypto.randomBytes(n);
function check(cond, what) {
  if (!cond) throw new Error(`self-check failed: ${what}`);
}
const eqBuf = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
const errText = (e) => String(e && e.message !== undefined ? e.message : e);

// libsignal error -> driver contract code (as interop/suite/lib/peer.js classifies group errors).
function contractCode(e) {
  if (e && e.code === 1) return 'duplicate_message';
  if (/missing sender key state/i.test(errText(e))) return 'no_session';
  return 'invalid_message';
}

// Minimal protobuf writer/reader (own code; wire format per the protobuf encoding spec).
function varint(n) {
  let v = BigInt(n);
  const out = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Buffer.from(out);
}
const pbVarint = (field, n) => Buffer.concat([varint(field * 8), varint(n)]);
const pbBytes = (field, b) => Buffer.concat([varint(field * 8 + 2), varint(b.length), Buffer.from(b)]);

function pbParse(buf) {
  const out = [];
  let pos = 0;
  const readVarint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(readVarint());
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, value: readVarint() });
    else if (wire === 2) {
      const len = Number(readVarint());
      if (pos + len > buf.length) throw new Error('truncated bytes');
      out.push({ field, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return out;
}
const pbGet = (fields, n) => (fields.find((f) => f.field === n) || {}).value;

const uuidBytes = (u) => Buffer.from(u.replace(/-/g, ''), 'hex');

// An in-memory SenderKeyStore; records kept serialized.
class Store extends S.SenderKeyStore {
  constructor() {
    super();
    this.map = new Map();
  }
  key(sender, distId) { return `${sender.toString()}::${String(distId).toLowerCase()}`; }
  async saveSenderKey(sender, distId, rec) { this.map.set(this.key(sender, distId), Buffer.from(rec.serialize())); }
  async getSenderKey(sender, distId) {
    const b = this.map.get(this.key(sender, distId));
    return b ? SenderKeyRecord.deserialize(b) : null;
  }
  get(sender, distId) { return this.map.get(this.key(sender, distId)) || null; }
  put(sender, distId, bytes) { this.map.set(this.key(sender, distId), Buffer.from(bytes)); }
}

// The private signing key of a sender's own record (state 0, SenderSigningKey.private).
function signingPrivateOf(record) {
  const state = pbGet(pbParse(record), 1);
  const signing = pbGet(pbParse(state), 3);
  return PrivateKey.deserialize(Buffer.from(pbGet(pbParse(signing), 2)));
}

// 0x33 || body || XEdDSA(signer, 0x33 || body): a SenderKeyMessage with a hand-made protobuf.
function signedMessage(body, signer, versionByte = 0x33) {
  const prefix = Buffer.concat([Buffer.from([versionByte]), body]);
  return Buffer.concat([prefix, Buffer.from(signer.sign(prefix))]);
}

async function tryDecrypt(store, sender, input) {
  try {
    const pt = Buffer.from(await S.groupDecrypt(sender, store, input));
    return { result: 'ok', plaintext: pt, error: null };
  } catch (e) {
    return { result: contractCode(e), plaintext: null, error: errText(e) };
  }
}

const addrJson = (a) => ({ name: a.name(), device_id: a.deviceId() });

// ---------------------------------------------------------------------------------------------
// chains: a sender's sends and a receiver's deliveries

async function makeChain(name, senderAddr, dist, nSends, order) {
  const senderStore = new Store();
  const skdm = await SenderKeyDistributionMessage.create(senderAddr, dist, senderStore);
  const skdmBytes = Buffer.from(skdm.serialize());
  const senderRecord = senderStore.get(senderAddr, dist);
  const skdmFields = pbParse(skdmBytes.subarray(1));
  check(skdm.iteration() === 0, `${name}: new SKDM at iteration 0`);
  const sends = [];
  for (let i = 0; i < nSends; i++) {
    const plaintext = rnd(i * 7 % 40);
    const recordBefore = senderStore.get(senderAddr, dist);
    const ct = await S.groupEncrypt(senderAddr, dist, senderStore, plaintext);
    check(ct.type() === 7, `${name}: ciphertext type 7`);
    const message = Buffer.from(ct.serialize());
    check(SenderKeyMessage.deserialize(message).iteration() === i, `${name}: message ${i} iteration`);
    sends.push({ plaintext, record_before: recordBefore, message, record_after: senderStore.get(senderAddr, dist) });
  }
  const skdmAfter = Buffer.from((await SenderKeyDistributionMessage.create(senderAddr, dist, senderStore)).serialize());
  check(SenderKeyDistributionMessage.deserialize(skdmAfter).iteration() === nSends, `${name}: SKDM after sends`);

  const receiver = new Store();
  await S.processSenderKeyDistributionMessage(senderAddr, SenderKeyDistributionMessage.deserialize(skdmBytes), receiver);
  const receiverRecord = receiver.get(senderAddr, dist);
  const deliveries = [];
  for (const i of order) {
    const r = await tryDecrypt(receiver, senderAddr, sends[i].message);
    if (r.result === 'ok') check(eqBuf(r.plaintext, sends[i].plaintext), `${name}: delivery of ${i}`);
    deliveries.push({ message: i, result: r.result, plaintext: r.plaintext ? hex(r.plaintext) : '', record_after: hex(receiver.get(senderAddr, dist)) });
  }
  return {
    json: {
      name,
      sender: addrJson(senderAddr),
      distribution_id: dist,
      skdm: hex(skdmBytes),
      chain_id: skdm.chainId(),
      chain_key: hex(skdm.chainKey()),
      signing_key: hex(pbGet(skdmFields, 5)),
      sender_record: hex(senderRecord),
      sends: sends.map((s) => ({ plaintext: hex(s.plaintext), record_before: hex(s.record_before), message: hex(s.message), record_after: hex(s.record_after) })),
      skdm_after: hex(skdmAfter),
      receiver_record: hex(receiverRecord),
      deliveries,
    },
    senderStore,
    receiverRecord,
    sends,
    skdmBytes,
  };
}

// ---------------------------------------------------------------------------------------------
// state sequences: add_sender_key_state's rules

async function stateSequence(senderAddr, dist) {
  const receiver = new Store();
  const steps = [];
  const chains = [];
  const step = async (what, skdmBytes) => {
    await S.processSenderKeyDistributionMessage(senderAddr, SenderKeyDistributionMessage.deserialize(skdmBytes), receiver);
    steps.push({ what, skdm: hex(skdmBytes), record_after: hex(receiver.get(senderAddr, dist)) });
  };
  for (let i = 0; i < 6; i++) {
    const store = new Store();
    const skdm = Buffer.from((await SenderKeyDistributionMessage.create(senderAddr, dist, store)).serialize());
    chains.push({ store, skdm });
    await step(`new chain ${i}${i === 5 ? ' (the oldest, chain 0, is evicted)' : ''}`, skdm);
  }
  const count = (rec) => pbParse(rec).filter((f) => f.field === 1).length;
  check(count(receiver.get(senderAddr, dist)) === 5, 'five states at most');
  await step('chain 1 again (held, at the back): moves to the front unchanged', chains[1].skdm);
  for (let i = 0; i < 3; i++) await S.groupEncrypt(senderAddr, dist, chains[3].store, Buffer.from('x'));
  const later = Buffer.from((await SenderKeyDistributionMessage.create(senderAddr, dist, chains[3].store)).serialize());
  await step('chain 3 at iteration 3 (held at 0): kept at 0, moved to the front', later);
  const c4 = SenderKeyDistributionMessage.deserialize(chains[4].skdm);
  const otherKey = PrivateKey.generate().getPublicKey();
  const impostor = Buffer.from(SenderKeyDistributionMessage._new(3, dist, c4.chainId(), 5, rnd(32), otherKey).serialize());
  await step('chain 4\'s id with another signing key: replaces chain 4', impostor);
  const c2 = SenderKeyDistributionMessage.deserialize(chains[2].skdm);
  const c2Key = pbGet(pbParse(chains[2].skdm.subarray(1)), 5);
  const sameKey = Buffer.from(SenderKeyDistributionMessage._new(3, dist, c2.chainId(), 9, rnd(32), S.PublicKey.deserialize(Buffer.from(c2Key))).serialize());
  await step('chain 2\'s id and signing key with another chain key: chain 2 kept unchanged', sameKey);
  return { name: 'five_states_eviction_and_reprocessing', sender: addrJson(senderAddr), distribution_id: dist, steps };
}

// ---------------------------------------------------------------------------------------------
// SKDM parsing

async function skdmParsing(chain, senderAddr, dist) {
  const good = chain.skdmBytes;
  const f = pbParse(good.subarray(1));
  const [uuid, chainId, iteration, chainKey, signingKey] = [1, 2, 3, 4, 5].map((n) => pbGet(f, n));
  const body = (parts) => Buffer.concat([Buffer.from([0x33]), ...parts]);
  const fields = {
    1: pbBytes(1, uuid), 2: pbVarint(2, chainId), 3: pbVarint(3, iteration), 4: pbBytes(4, chainKey), 5: pbBytes(5, signingKey),
  };
  const all = (over = {}) => body([1, 2, 3, 4, 5].map((n) => (n in over ? over[n] : fields[n])));
  const padded = (b) => (b.length >= 65 ? b : Buffer.concat([b, pbBytes(15, Buffer.alloc(65 - b.length))]));
  const cases = [
    ['genuine', good],
    ['empty', Buffer.alloc(0)],
    ['truncated_to_40', good.subarray(0, 40)],
    ['truncated_to_64', good.subarray(0, 64)],
    ['truncated_by_1', good.subarray(0, good.length - 1)],
    ['version_0x23', Buffer.concat([Buffer.from([0x23]), good.subarray(1)])],
    ['version_0x43', Buffer.concat([Buffer.from([0x43]), good.subarray(1)])],
    ['version_0x03', Buffer.concat([Buffer.from([0x03]), good.subarray(1)])],
    ['version_0x3f_low_nibble_ignored', Buffer.concat([Buffer.from([0x3f]), good.subarray(1)])],
    ['garbage', Buffer.concat([Buffer.from([0x33]), rnd(89)])],
    ...[1, 2, 3, 4, 5].map((n) => [`missing_field_${n}`, padded(all({ [n]: Buffer.alloc(0) }))]),
    ['uuid_15_bytes', all({ 1: pbBytes(1, uuid.subarray(0, 15)) })],
    ['uuid_17_bytes', all({ 1: pbBytes(1, Buffer.concat([uuid, Buffer.from([0])])) })],
    ['chain_key_31_bytes', all({ 4: pbBytes(4, chainKey.subarray(0, 31)) })],
    ['chain_key_33_bytes', all({ 4: pbBytes(4, Buffer.concat([chainKey, Buffer.from([0])])) })],
    ['signing_key_32_bytes', all({ 5: pbBytes(5, signingKey.subarray(0, 32)) })],
    ['signing_key_34_bytes', all({ 5: pbBytes(5, Buffer.concat([signingKey, Buffer.from([0])])) })],
    ['signing_key_type_0x06', all({ 5: pbBytes(5, Buffer.concat([Buffer.from([0x06]), signingKey.subarray(1)])) })],
    ['chain_id_as_bytes_field', all({ 2: pbBytes(2, Buffer.from([1, 2, 3])) })],
    ['chain_id_twice_as_varint_then_bytes', all({ 2: Buffer.concat([fields[2], pbBytes(2, Buffer.from([1]))]) })],
    ['fields_in_reverse_order', body([5, 4, 3, 2, 1].map((n) => fields[n]))],
    ['unknown_field_9', body([...[1, 2, 3, 4, 5].map((n) => fields[n]), pbVarint(9, 77)])],
    ['iteration_twice_last_wins', all({ 3: Buffer.concat([pbVarint(3, 1000), fields[3]]) })],
    ['iteration_max', all({ 3: pbVarint(3, 0xffffffff) })],
  ];
  const out = [];
  for (const [name, input] of cases) {
    const store = new Store();
    let accepted = true;
    let error = null;
    try {
      await S.processSenderKeyDistributionMessage(senderAddr, SenderKeyDistributionMessage.deserialize(input), store);
    } catch (e) {
      accepted = false;
      error = errText(e);
    }
    const stored = store.get(senderAddr, dist);
    check(accepted === (stored !== null), `skdm ${name}: stored iff accepted`);
    out.push({ name, input: hex(input), accepted, error, record_after: stored ? hex(stored) : null });
  }
  const byName = Object.fromEntries(out.map((c) => [c.name, c]));
  for (const n of ['genuine', 'version_0x3f_low_nibble_ignored', 'fields_in_reverse_order', 'unknown_field_9', 'iteration_twice_last_wins', 'iteration_max'])
    check(byName[n].accepted, `skdm ${n} accepted`);
  for (const n of ['empty', 'truncated_to_64', 'version_0x23', 'version_0x43', 'missing_field_1', 'missing_field_4', 'uuid_15_bytes', 'chain_key_31_bytes', 'signing_key_32_bytes', 'signing_key_type_0x06', 'chain_id_as_bytes_field'])
    check(!byName[n].accepted, `skdm ${n} refused`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// decrypt cases against a fixed receiver record

async function decryptCases(chain, senderAddr, dist) {
  const signer = signingPrivateOf(chain.senderStore.get(senderAddr, dist));
  const receiverStart = chain.receiverRecord;
  const good = chain.sends[2].message; // iteration 2
  const f = pbParse(good.subarray(1, good.length - 64));
  const [uuid, chainId, iteration, ciphertext] = [1, 2, 3, 4].map((n) => pbGet(f, n));
  const fields = { 1: pbBytes(1, uuid), 2: pbVarint(2, chainId), 3: pbVarint(3, iteration), 4: pbBytes(4, ciphertext) };
  const body = (over = {}) => Buffer.concat([1, 2, 3, 4].map((n) => (n in over ? over[n] : fields[n])));
  const resigned = (over, versionByte) => signedMessage(body(over), signer, versionByte);
  const flip = (b, i) => {
    const c = Buffer.from(b);
    c[i < 0 ? c.length + i : i] ^= 1;
    return c;
  };
  const other = ProtocolAddress.new('nobody', 1);

  // The receiver after delivering message 4 first (iterations 0..3 stored as skipped keys) and
  // then message 2: for the duplicate cases.
  const partial = new Store();
  partial.put(senderAddr, dist, receiverStart);
  for (const i of [4, 2]) check((await tryDecrypt(partial, senderAddr, chain.sends[i].message)).result === 'ok', `deliver ${i}`);
  const afterSome = partial.get(senderAddr, dist);

  // 25,000 and 25,001 messages ahead of a new receiver.
  const far = await farMessages(dist);

  const cases = [
    ['genuine', receiverStart, senderAddr, good],
    ['genuine_first_message', receiverStart, senderAddr, chain.sends[0].message],
    ['signature_bit_flipped', receiverStart, senderAddr, flip(good, -5)],
    ['ciphertext_bit_flipped', receiverStart, senderAddr, flip(good, -70)],
    ['version_0x23', receiverStart, senderAddr, Buffer.concat([Buffer.from([0x23]), good.subarray(1)])],
    ['version_0x43', receiverStart, senderAddr, Buffer.concat([Buffer.from([0x43]), good.subarray(1)])],
    ['version_0x3f_not_resigned', receiverStart, senderAddr, Buffer.concat([Buffer.from([0x3f]), good.subarray(1)])],
    ['version_0x3f_resigned', receiverStart, senderAddr, resigned({}, 0x3f)],
    ['truncated_to_64', receiverStart, senderAddr, good.subarray(0, 64)],
    ['truncated_by_1', receiverStart, senderAddr, good.subarray(0, good.length - 1)],
    ['empty', receiverStart, senderAddr, Buffer.alloc(0)],
    ['garbage', receiverStart, senderAddr, Buffer.concat([Buffer.from([0x33]), rnd(119)])],
    ...[1, 2, 3, 4].map((n) => [`missing_field_${n}_resigned`, receiverStart, senderAddr, resigned({ [n]: Buffer.alloc(0) })]),
    ['uuid_15_bytes_resigned', receiverStart, senderAddr, resigned({ 1: pbBytes(1, uuid.subarray(0, 15)) })],
    ['unknown_distribution_id_resigned', receiverStart, senderAddr, resigned({ 1: pbBytes(1, uuidBytes(crypto.randomUUID())) })],
    ['unknown_chain_id_resigned', receiverStart, senderAddr, resigned({ 2: pbVarint(2, (Number(chainId) ^ 1) >>> 0) })],
    ['chain_id_as_bytes_field_resigned', receiverStart, senderAddr, resigned({ 2: Buffer.concat([fields[2], pbBytes(2, Buffer.from([1]))]) })],
    ['fields_in_reverse_order_resigned', receiverStart, senderAddr, signedMessage(Buffer.concat([4, 3, 2, 1].map((n) => fields[n])), signer)],
    ['unknown_field_9_resigned', receiverStart, senderAddr, signedMessage(Buffer.concat([body(), pbVarint(9, 1)]), signer)],
    ['ciphertext_15_bytes_resigned', receiverStart, senderAddr, resigned({ 4: pbBytes(4, ciphertext.subarray(0, 15)) })],
    ['ciphertext_empty_resigned', receiverStart, senderAddr, resigned({ 4: pbBytes(4, Buffer.alloc(0)) })],
    ['ciphertext_bad_padding_resigned', receiverStart, senderAddr, resigned({ 4: pbBytes(4, rnd(32)) })],
    ['iteration_2_ciphertext_of_3_resigned', receiverStart, senderAddr, resigned({ 4: pbBytes(4, pbGet(pbParse(chain.sends[3].message.subarray(1, chain.sends[3].message.length - 64)), 4)) })],
    ['unknown_sender', receiverStart, other, good],
    ['other_device_of_the_sender', receiverStart, ProtocolAddress.new(senderAddr.name(), senderAddr.deviceId() + 1), good],
    ['skipped_key_still_held', afterSome, senderAddr, chain.sends[1].message],
    ['already_delivered', afterSome, senderAddr, chain.sends[2].message],
    ['already_delivered_chain_head', afterSome, senderAddr, chain.sends[4].message],
    ['next_after_delivered', afterSome, senderAddr, chain.sends[5].message],
    ['exactly_25000_ahead', far.record, far.sender, far.at25000],
    ['25001_ahead', far.record, far.sender, far.at25001],
  ];
  const out = [];
  for (const [name, record, sender, input] of cases) {
    const holder = name.includes('ahead') ? far.sender : senderAddr;
    const store = new Store();
    store.put(holder, dist, record);
    const r = await tryDecrypt(store, sender, input);
    const after = store.get(holder, dist);
    check(store.map.size === 1, `decrypt ${name}: one record`);
    if (r.result !== 'ok') check(eqBuf(after, record), `decrypt ${name}: failure changes nothing`);
    const keep = r.result === 'ok' && name !== 'exactly_25000_ahead';
    out.push({
      name,
      holder: addrJson(holder),
      sender: addrJson(sender),
      record: hex(record),
      input: hex(input),
      result: r.result,
      plaintext: r.plaintext ? hex(r.plaintext) : '',
      error: r.error,
      record_after: keep ? hex(after) : null,
    });
  }
  const expect = {
    genuine: 'ok', genuine_first_message: 'ok', signature_bit_flipped: 'invalid_message', ciphertext_bit_flipped: 'invalid_message',
    version_0x23: 'invalid_message', version_0x43: 'invalid_message', version_0x3f_not_resigned: 'invalid_message', version_0x3f_resigned: 'ok',
    truncated_to_64: 'invalid_message', truncated_by_1: 'invalid_message', empty: 'invalid_message',
    missing_field_1_resigned: 'invalid_message', missing_field_2_resigned: 'invalid_message', missing_field_3_resigned: 'invalid_message',
    missing_field_4_resigned: 'invalid_message', uuid_15_bytes_resigned: 'invalid_message', unknown_distribution_id_resigned: 'no_session',
    unknown_chain_id_resigned: 'no_session', chain_id_as_bytes_field_resigned: 'invalid_message', fields_in_reverse_order_resigned: 'ok',
    unknown_field_9_resigned: 'ok', ciphertext_15_bytes_resigned: 'invalid_message', ciphertext_empty_resigned: 'invalid_message',
    unknown_sender: 'no_session', other_device_of_the_sender: 'no_session', skipped_key_still_held: 'ok',
    already_delivered: 'duplicate_message', already_delivered_chain_head: 'duplicate_message', next_after_delivered: 'ok',
    exactly_25000_ahead: 'ok', '25001_ahead': 'invalid_message',
  };
  for (const c of out) if (c.name in expect) check(c.result === expect[c.name], `decrypt ${c.name}: ${c.result} (${c.error})`);
  return out;
}

// A new sender chain and a receiver at iteration 0; the sender's messages 25,000 and 25,001.
async function farMessages(dist) {
  const sender = ProtocolAddress.new('faraway', 3);
  const senderStore = new Store();
  const skdm = await SenderKeyDistributionMessage.create(sender, dist, senderStore);
  const receiver = new Store();
  await S.processSenderKeyDistributionMessage(sender, skdm, receiver);
  let at25000 = null;
  let at25001 = null;
  for (let i = 0; i <= 25001; i++) {
    const m = Buffer.from((await S.groupEncrypt(sender, dist, senderStore, Buffer.from(`m${i}`))).serialize());
    if (i === 25000) at25000 = m;
    if (i === 25001) at25001 = m;
  }
  return { sender, record: receiver.get(sender, dist), at25000, at25001 };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const dist = crypto.randomUUID();
  const gina = ProtocolAddress.new('gina', 1);
  const chainA = await makeChain('eight_sends_delivered_out_of_order', gina, dist, 8, [2, 0, 5, 5, 1, 7, 3, 4, 6, 0]);
  const chainB = await makeChain('three_sends_in_order', ProtocolAddress.new('hugo', 7), crypto.randomUUID(), 3, [0, 1, 2, 1]);
  const sequence = await stateSequence(ProtocolAddress.new('ivan', 2), dist);
  const parsing = await skdmParsing(chainA, gina, dist);
  const decrypts = await decryptCases(chainA, gina, dist);

  // Re-checks: every record round-trips through libsignal unchanged.
  const records = [];
  for (const c of [chainA, chainB]) {
    records.push(c.json.sender_record, c.json.receiver_record);
    for (const s of c.json.sends) records.push(s.record_before, s.record_after);
    for (const d of c.json.deliveries) records.push(d.record_after);
  }
  for (const s of sequence.steps) records.push(s.record_after);
  for (const c of parsing) if (c.record_after) records.push(c.record_after);
  for (const c of decrypts) {
    records.push(c.record);
    if (c.record_after) records.push(c.record_after);
  }
  for (const r of records) check(hex(SenderKeyRecord.deserialize(Buffer.from(r, 'hex')).serialize()) === r, 'record round trip');

  const out = {
    source: SOURCE,
    generated_by: GENERATED_BY,
    description: 'Sender keys (groups): libsignal SKDMs, SenderKeyMessages and SenderKeyRecords for both sides of a '
      + 'group chain, add_sender_key_state sequences, SKDM parsing and group_decrypt outcomes. Schema: header of '
      + 'generate_groups.js and README.md.',
    chains: [chainA.json, chainB.json],
    state_sequences: [sequence],
    skdm_parsing: parsing,
    decrypt_cases: decrypts,
  };
  fs.writeFileSync(OUT_FILE, `${JSON.stringify(out, null, 1)}\n`);
  process.stderr.write(`wrote ${path.relative(ROOT, OUT_FILE)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
