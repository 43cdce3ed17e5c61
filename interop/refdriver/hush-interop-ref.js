#!/usr/bin/env node
'use strict';
// Reference implementation of the hush-interop driver line protocol
// (shared/interop/driver-protocol.md) on top of libsignal itself
// (@signalapp/libsignal-client 0.65.4). It lets the interop suite be checked
// libsignal-against-libsignal and serves as a baseline for the Hush driver.
//
// Usage: node interop/refdriver/hush-interop-ref.js   (no arguments)
// Newline-delimited JSON requests on stdin, one JSON response per line on stdout.

const readline = require('readline');
const SignalClient = require('@signalapp/libsignal-client');
const {
  PrivateKey, PublicKey, IdentityKeyPair, ProtocolAddress, PreKeyBundle, PreKeyRecord, SignedPreKeyRecord,
  SessionRecord, SignalMessage, PreKeySignalMessage, Fingerprint, SenderKeyDistributionMessage,
} = SignalClient;
const { PartyStore } = require('./store');

const U32_MAX = 0xffffffff;
// Deliberate faults, only for checking that the suite notices them
// (HUSH_REF_FAULTS=no-rollback,...). Never set in normal use.
const FAULTS = new Set((process.env.HUSH_REF_FAULTS || '').split(',').filter(Boolean));
const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

class DriverError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}
const badRequest = (msg) => new DriverError('bad_request', msg);

// ---- request field validation ----
function has(obj, k) { return Object.prototype.hasOwnProperty.call(obj, k) && obj[k] !== undefined; }
function reqString(obj, k, where = '') {
  if (!has(obj, k)) throw badRequest(`missing field ${where}${k}`);
  if (typeof obj[k] !== 'string') throw badRequest(`field ${where}${k} must be a string`);
  return obj[k];
}
function reqU32(obj, k, where = '') {
  if (!has(obj, k)) throw badRequest(`missing field ${where}${k}`);
  const v = obj[k];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > U32_MAX) {
    throw badRequest(`field ${where}${k} must be an integer in 0..${U32_MAX}`);
  }
  return v;
}
function optU32(obj, k, where = '') {
  if (!has(obj, k) || obj[k] === null) return null;
  return reqU32(obj, k, where);
}
function reqB64(obj, k, where = '') {
  const s = reqString(obj, k, where);
  if (!B64_RE.test(s)) throw badRequest(`field ${where}${k} is not standard padded base64`);
  return Buffer.from(s, 'base64');
}
function optB64(obj, k, where = '') {
  if (!has(obj, k) || obj[k] === null) return null;
  return reqB64(obj, k, where);
}
function parseKey(buf, what) {
  try {
    return PublicKey.deserialize(buf);
  } catch (e) {
    throw new DriverError('invalid_key', `${what}: ${e.message}`);
  }
}
const b64 = (buf) => Buffer.from(buf).toString('base64');

// ---- libsignal error -> contract code ----
function classify(e, ctx, store) {
  if (e instanceof DriverError) return e.code;
  const code = e && typeof e.code === 'number' ? e.code : undefined;
  const msg = String((e && e.message) || e);
  if (code === 1) return 'duplicate_message'; // DuplicatedMessage
  if (code === 3) return 'untrusted_identity'; // UntrustedIdentity
  if (/invalid signature/i.test(msg)) return ctx === 'group' ? 'invalid_message' : 'invalid_signature'; // a bad SenderKeyMessage signature is a bad message
  if (/session with .* not found/i.test(msg)) return 'no_session'; // SessionNotFound
  if (ctx === 'group' && /missing sender key state/i.test(msg)) return 'no_session';
  if (store && store.missingPrekey) return 'invalid_prekey'; // our getPreKey/getSignedPreKey threw
  if (ctx !== 'message' && ctx !== 'group' && /(bad key type|bad key length|no key type identifier)/i.test(msg)) return 'invalid_key';
  return 'invalid_message';
}

// ---- the party ----
let party = null; // {address, deviceId, registrationId, store}

function addrOf(req) {
  const name = reqString(req, 'address');
  const dev = reqU32(req, 'device_id');
  return ProtocolAddress.new(name, dev);
}

const ops = {
  async init(req) {
    if (party) throw badRequest('init was already called');
    const address = reqString(req, 'address');
    const deviceId = reqU32(req, 'device_id');
    const registrationId = reqU32(req, 'registration_id');
    const dir = has(req, 'store') && req.store !== null ? reqString(req, 'store') : null;
    let store;
    if (dir !== null) {
      if (dir === '') throw badRequest('store must be a non-empty path');
      try {
        store = PartyStore.open(dir, { address, deviceId, registrationId });
      } catch (e) {
        if (e.badRequest) throw badRequest(e.message);
        throw e;
      }
    } else {
      store = new PartyStore({ identityKeyPair: IdentityKeyPair.generate(), registrationId });
    }
    party = { address, deviceId, registrationId, store };
    return { identity_key: b64(store.identityKeyPair.publicKey.serialize()), registration_id: registrationId };
  },

  async generate_bundle(req) {
    const spkId = reqU32(req, 'signed_prekey_id');
    const pkId = optU32(req, 'prekey_id');
    const { store } = party;
    const ikp = store.identityKeyPair;
    const spkPriv = PrivateKey.generate();
    const spkPub = spkPriv.getPublicKey();
    const sig = ikp.privateKey.sign(spkPub.serialize());
    store.signedPrekeys.set(spkId, Buffer.from(SignedPreKeyRecord.new(spkId, Date.now(), spkPub, spkPriv, sig).serialize()));
    const bundle = {
      registration_id: party.registrationId,
      device_id: party.deviceId,
      identity_key: b64(ikp.publicKey.serialize()),
      signed_prekey_id: spkId,
      signed_prekey: b64(spkPub.serialize()),
      signed_prekey_signature: b64(sig),
    };
    if (pkId !== null) {
      const pkPriv = PrivateKey.generate();
      const pkPub = pkPriv.getPublicKey();
      store.prekeys.set(pkId, Buffer.from(PreKeyRecord.new(pkId, pkPub, pkPriv).serialize()));
      bundle.prekey_id = pkId;
      bundle.prekey = b64(pkPub.serialize());
    }
    return { bundle };
  },

  async process_bundle(req) {
    const addr = addrOf(req);
    const b = req.bundle;
    if (!has(req, 'bundle')) throw badRequest('missing field bundle');
    if (typeof b !== 'object' || b === null || Array.isArray(b)) throw badRequest('field bundle must be an object');
    const regId = reqU32(b, 'registration_id', 'bundle.');
    const devId = reqU32(b, 'device_id', 'bundle.');
    const ikBytes = reqB64(b, 'identity_key', 'bundle.');
    const spkId = reqU32(b, 'signed_prekey_id', 'bundle.');
    const spkBytes = reqB64(b, 'signed_prekey', 'bundle.');
    const sig = reqB64(b, 'signed_prekey_signature', 'bundle.');
    const pkId = optU32(b, 'prekey_id', 'bundle.');
    const pkBytes = optB64(b, 'prekey', 'bundle.');
    if ((pkId === null) !== (pkBytes === null)) throw badRequest('bundle.prekey_id and bundle.prekey must be given together');
    const ik = parseKey(ikBytes, 'bundle.identity_key');
    const spk = parseKey(spkBytes, 'bundle.signed_prekey');
    const pk = pkBytes === null ? null : parseKey(pkBytes, 'bundle.prekey');
    const bundle = PreKeyBundle.new(regId, devId, pkId, pk, spkId, spk, sig, ik, null, null, null);
    party.ctx = 'bundle';
    await SignalClient.processPreKeyBundle(bundle, addr, party.store.sessionStore, party.store.identityStore);
    return {};
  },

  async encrypt(req) {
    const addr = addrOf(req);
    const pt = reqB64(req, 'plaintext');
    party.ctx = 'encrypt';
    const rec = party.store.sessions.get(addr.toString());
    if (!rec || !SessionRecord.deserialize(rec).hasCurrentState()) {
      throw new DriverError('no_session', `session with ${addr.toString()} not found`);
    }
    const ct = await SignalClient.signalEncrypt(pt, addr, party.store.sessionStore, party.store.identityStore);
    return { type: ct.type(), body: b64(ct.serialize()) };
  },

  async decrypt(req) {
    const addr = addrOf(req);
    if (!has(req, 'type')) throw badRequest('missing field type');
    if (req.type !== 2 && req.type !== 3) throw badRequest('field type must be 2 or 3');
    const body = reqB64(req, 'body');
    party.ctx = 'message';
    const s = party.store;
    let pt;
    if (req.type === 2) {
      pt = await SignalClient.signalDecrypt(SignalMessage.deserialize(body), addr, s.sessionStore, s.identityStore);
    } else {
      pt = await SignalClient.signalDecryptPreKey(PreKeySignalMessage.deserialize(body), addr, s.sessionStore,
        s.identityStore, s.preKeyStore, s.signedPreKeyStore, s.kyberPreKeyStore);
    }
    return { plaintext: b64(pt) };
  },

  async trust(req) {
    const name = reqString(req, 'address');
    const key = parseKey(reqB64(req, 'identity_key'), 'identity_key');
    party.store.identities.set(name, Buffer.from(key.serialize()));
    return {};
  },

  async fingerprint(req) {
    const version = reqU32(req, 'version');
    const iterations = reqU32(req, 'iterations');
    if (iterations < 2 || iterations > 1000000) throw badRequest('iterations must be in 2..1000000');
    const localId = reqB64(req, 'local_id');
    const remoteId = reqB64(req, 'remote_id');
    const rk = parseKey(reqB64(req, 'remote_identity_key'), 'remote_identity_key');
    const fp = Fingerprint.new(iterations, version, localId, party.store.identityKeyPair.publicKey, remoteId, rk);
    return { displayable: fp.displayableFingerprint().toString(), scannable: b64(fp.scannableFingerprint().toBuffer()) };
  },

  // ---- groups (sender keys) ----
  async group_create(req) {
    const dist = reqUuid(req, 'distribution_id');
    party.ctx = 'group';
    const self = ProtocolAddress.new(party.address, party.deviceId);
    const skdm = await SenderKeyDistributionMessage.create(self, dist, party.store.senderKeyStore);
    return { distribution_message: b64(skdm.serialize()) };
  },

  async group_process(req) {
    const addr = addrOf(req);
    const dm = reqB64(req, 'distribution_message');
    party.ctx = 'group';
    const skdm = SenderKeyDistributionMessage.deserialize(dm);
    await SignalClient.processSenderKeyDistributionMessage(addr, skdm, party.store.senderKeyStore);
    return {};
  },

  async group_encrypt(req) {
    const dist = reqUuid(req, 'distribution_id');
    const pt = reqB64(req, 'plaintext');
    party.ctx = 'group';
    const self = ProtocolAddress.new(party.address, party.deviceId);
    const ct = await SignalClient.groupEncrypt(self, dist, party.store.senderKeyStore, pt);
    return { body: b64(ct.serialize()) };
  },

  async group_decrypt(req) {
    const addr = addrOf(req);
    const body = reqB64(req, 'body');
    party.ctx = 'group';
    const pt = await SignalClient.groupDecrypt(addr, party.store.senderKeyStore, body);
    return { plaintext: b64(pt) };
  },
};

function reqUuid(obj, k) {
  const s = reqString(obj, k);
  if (!UUID_RE.test(s)) throw badRequest(`field ${k} must be a UUID`);
  return s.toLowerCase();
}

async function handle(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: 'bad_request', message: `not JSON: ${e.message}` };
  }
  if (typeof req !== 'object' || req === null || Array.isArray(req)) {
    return { ok: false, error: 'bad_request', message: 'request must be a JSON object' };
  }
  const op = req.op;
  if (typeof op !== 'string' || !Object.prototype.hasOwnProperty.call(ops, op)) {
    return { ok: false, error: 'bad_request', message: `unknown op ${JSON.stringify(op)}` };
  }
  if (op !== 'init' && !party) return { ok: false, error: 'bad_request', message: `${op} before init` };
  const store = party && party.store;
  if (store) {
    store.begin();
    party.ctx = null;
  }
  try {
    const res = await ops[op](req);
    if (store) store.commit(); // state is durable before the answer is written
    return { ok: true, ...res };
  } catch (e) {
    if (store && !FAULTS.has('no-rollback')) store.rollback();
    else if (store) store.commit();
    const code = classify(e, party && party.ctx, store);
    if (store) store.missingPrekey = false;
    if (process.env.HUSH_REF_DEBUG) process.stderr.write(`${op}: ${e && e.stack}\n`);
    return { ok: false, error: code, message: String((e && e.message) || e) };
  }
}

async function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  for await (const raw of rl) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const res = await handle(line);
    process.stdout.write(`${JSON.stringify(res)}\n`);
  }
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`hush-interop-ref: fatal: ${e && e.stack}\n`);
  process.exit(2);
});
