'use strict';
// The libsignal side of a conversation: one party (one identity, one device)
// running @signalapp/libsignal-client in-process with in-memory stores written
// here. It exposes the same Party interface as DriverParty (lib/driver.js), so
// scenarios can be written once and run in both directions.
//
// Values are kept serialized (Buffers) in Maps, so a snapshot is a cheap copy
// of the maps. By default every operation is transactional: if libsignal
// throws, all store writes made during the call are rolled back. libsignal
// itself only stores on success except for one case (it records the sender's
// identity from a PreKey message before the inner message is decrypted); the
// rollback gives the libsignal peer the contract's "a failed request changes
// nothing" property. Construct with {raw: true} to observe libsignal's own
// behaviour instead.

const SignalClient = require('@signalapp/libsignal-client');
const {
  PrivateKey, PublicKey, IdentityKeyPair, ProtocolAddress, PreKeyBundle, PreKeyRecord,
  SignedPreKeyRecord, SessionRecord, SignalMessage, PreKeySignalMessage, Fingerprint,
  SenderKeyRecord, SenderKeyDistributionMessage, Direction,
} = SignalClient;
const { PartyError } = require('./errors');

const b64 = (buf) => Buffer.from(buf).toString('base64');

class MemStores {
  constructor(identityKeyPair, registrationId) {
    this.identityKeyPair = identityKeyPair;
    this.registrationId = registrationId;
    this.sessions = new Map(); // "name.device" -> Buffer
    this.identities = new Map(); // name -> Buffer(33)
    this.prekeys = new Map(); // id -> Buffer
    this.signedPrekeys = new Map(); // id -> Buffer
    this.senderKeys = new Map(); // "name.device::uuid" -> Buffer
    this.missingPrekey = false; // set when libsignal asked for a prekey we do not hold
    const self = this;

    this.sessionStore = new (class extends SignalClient.SessionStore {
      async saveSession(addr, rec) { self.sessions.set(addr.toString(), Buffer.from(rec.serialize())); }
      async getSession(addr) {
        const b = self.sessions.get(addr.toString());
        return b ? SessionRecord.deserialize(b) : null;
      }
      async getExistingSessions(addrs) {
        return addrs.map((a) => {
          const b = self.sessions.get(a.toString());
          if (!b) throw new Error(`no session for ${a.toString()}`);
          return SessionRecord.deserialize(b);
        });
      }
    })();

    this.identityStore = new (class extends SignalClient.IdentityKeyStore {
      async getIdentityKey() { return self.identityKeyPair.privateKey; }
      async getLocalRegistrationId() { return self.registrationId; }
      async saveIdentity(addr, key) {
        const name = addr.name();
        const old = self.identities.get(name);
        const ser = Buffer.from(key.serialize());
        self.identities.set(name, ser);
        return !!old && !old.equals(ser);
      }
      async isTrustedIdentity(addr, key, _direction) {
        const old = self.identities.get(addr.name());
        return !old || old.equals(Buffer.from(key.serialize()));
      }
      async getIdentity(addr) {
        const old = self.identities.get(addr.name());
        return old ? PublicKey.deserialize(old) : null;
      }
    })();

    this.preKeyStore = new (class extends SignalClient.PreKeyStore {
      async savePreKey(id, rec) { self.prekeys.set(id, Buffer.from(rec.serialize())); }
      async getPreKey(id) {
        const b = self.prekeys.get(id);
        if (!b) { self.missingPrekey = true; throw new Error(`no prekey with id ${id}`); }
        return PreKeyRecord.deserialize(b);
      }
      async removePreKey(id) { self.prekeys.delete(id); }
    })();

    this.signedPreKeyStore = new (class extends SignalClient.SignedPreKeyStore {
      async saveSignedPreKey(id, rec) { self.signedPrekeys.set(id, Buffer.from(rec.serialize())); }
      async getSignedPreKey(id) {
        const b = self.signedPrekeys.get(id);
        if (!b) { self.missingPrekey = true; throw new Error(`no signed prekey with id ${id}`); }
        return SignedPreKeyRecord.deserialize(b);
      }
    })();

    this.kyberPreKeyStore = new (class extends SignalClient.KyberPreKeyStore {
      async saveKyberPreKey() { throw new Error('kyber prekeys are not used (version 3 only)'); }
      async getKyberPreKey(id) { throw new Error(`no kyber prekey with id ${id} (version 3 only)`); }
      async markKyberPreKeyUsed() { throw new Error('kyber prekeys are not used (version 3 only)'); }
    })();

    this.senderKeyStore = new (class extends SignalClient.SenderKeyStore {
      async saveSenderKey(sender, distId, rec) {
        self.senderKeys.set(`${sender.toString()}::${String(distId).toLowerCase()}`, Buffer.from(rec.serialize()));
      }
      async getSenderKey(sender, distId) {
        const b = self.senderKeys.get(`${sender.toString()}::${String(distId).toLowerCase()}`);
        return b ? SenderKeyRecord.deserialize(b) : null;
      }
    })();
  }

  snapshot() {
    return {
      sessions: new Map(this.sessions), identities: new Map(this.identities),
      prekeys: new Map(this.prekeys), signedPrekeys: new Map(this.signedPrekeys),
      senderKeys: new Map(this.senderKeys),
    };
  }

  restore(s) {
    this.sessions = s.sessions; this.identities = s.identities;
    this.prekeys = s.prekeys; this.signedPrekeys = s.signedPrekeys; this.senderKeys = s.senderKeys;
  }
}

// libsignal exception -> contract error code. `ctx` is 'message' for decrypt
// (where everything that is not otherwise classified is invalid_message).
function classifyLibError(e, ctx, stores) {
  const code = e && typeof e.code === 'number' ? e.code : undefined;
  const msg = String((e && e.message) || e);
  if (code === 1) return 'duplicate_message';
  if (code === 3) return 'untrusted_identity';
  if (/invalid signature/i.test(msg)) return ctx === 'group' ? 'invalid_message' : 'invalid_signature';
  if (/session with .* not found/i.test(msg)) return 'no_session';
  if (stores && stores.missingPrekey) return 'invalid_prekey';
  if (/callback error .*no (signed )?prekey/i.test(msg)) return 'invalid_prekey';
  if (ctx !== 'message' && /(bad key type|bad key length|no key type identifier|invalid key)/i.test(msg)) return 'invalid_key';
  if (ctx === 'group' && /missing sender key state/i.test(msg)) return 'no_session';
  return 'invalid_message';
}

function parsePublicKey(buf, what) {
  try {
    if (!buf || buf.length === 0) throw new Error('empty key');
    return PublicKey.deserialize(Buffer.from(buf));
  } catch (e) {
    throw new PartyError('invalid_key', `${what}: ${e.message}`);
  }
}

class LibParty {
  constructor({ address, deviceId = 1, registrationId, raw = false, identityKeyPair } = {}) {
    this.kind = 'libsignal';
    this.address = address;
    this.deviceId = deviceId;
    this.registrationId = registrationId !== undefined ? registrationId : 1 + Math.floor(Math.random() * 16380);
    this.raw = raw;
    this.stores = new MemStores(identityKeyPair || IdentityKeyPair.generate(), this.registrationId);
    this.identityKey = Buffer.from(this.stores.identityKeyPair.publicKey.serialize());
  }

  toString() { return `libsignal(${this.address})`; }

  // Run fn transactionally; map any libsignal error to a PartyError.
  async _tx(ctx, fn) {
    const snap = this.stores.snapshot();
    this.stores.missingPrekey = false;
    try {
      return await fn();
    } catch (e) {
      if (!this.raw) this.stores.restore(snap);
      if (e instanceof PartyError) throw e;
      const code = classifyLibError(e, ctx, this.stores);
      throw new PartyError(code, String(e && e.message), { libCode: e && e.code, libError: e });
    } finally {
      this.stores.missingPrekey = false;
    }
  }

  async generateBundle({ signedPrekeyId, prekeyId } = {}) {
    const ikp = this.stores.identityKeyPair;
    const spkPriv = PrivateKey.generate();
    const spkPub = spkPriv.getPublicKey();
    const sig = ikp.privateKey.sign(spkPub.serialize());
    this.stores.signedPrekeys.set(signedPrekeyId,
      Buffer.from(SignedPreKeyRecord.new(signedPrekeyId, Date.now(), spkPub, spkPriv, sig).serialize()));
    const bundle = {
      registration_id: this.registrationId,
      device_id: this.deviceId,
      identity_key: b64(this.identityKey),
      signed_prekey_id: signedPrekeyId,
      signed_prekey: b64(spkPub.serialize()),
      signed_prekey_signature: b64(sig),
    };
    if (prekeyId !== undefined && prekeyId !== null) {
      const pkPriv = PrivateKey.generate();
      const pkPub = pkPriv.getPublicKey();
      this.stores.prekeys.set(prekeyId, Buffer.from(PreKeyRecord.new(prekeyId, pkPub, pkPriv).serialize()));
      bundle.prekey_id = prekeyId;
      bundle.prekey = b64(pkPub.serialize());
    }
    return bundle;
  }

  async processBundle(address, deviceId, bundle) {
    const ik = parsePublicKey(Buffer.from(bundle.identity_key, 'base64'), 'identity_key');
    const spk = parsePublicKey(Buffer.from(bundle.signed_prekey, 'base64'), 'signed_prekey');
    const hasPk = bundle.prekey_id !== undefined && bundle.prekey_id !== null;
    const pk = hasPk ? parsePublicKey(Buffer.from(bundle.prekey, 'base64'), 'prekey') : null;
    const b = PreKeyBundle.new(bundle.registration_id, bundle.device_id, hasPk ? bundle.prekey_id : null, pk,
      bundle.signed_prekey_id, spk, Buffer.from(bundle.signed_prekey_signature, 'base64'), ik, null, null, null);
    const addr = ProtocolAddress.new(address, deviceId);
    await this._tx('bundle', () => SignalClient.processPreKeyBundle(b, addr, this.stores.sessionStore, this.stores.identityStore));
  }

  async encrypt(address, deviceId, plaintext) {
    const addr = ProtocolAddress.new(address, deviceId);
    return this._tx('encrypt', async () => {
      const rec = this.stores.sessions.get(addr.toString());
      if (!rec || !SessionRecord.deserialize(rec).hasCurrentState()) {
        throw new PartyError('no_session', `session with ${addr.toString()} not found`);
      }
      const ct = await SignalClient.signalEncrypt(Buffer.from(plaintext), addr, this.stores.sessionStore, this.stores.identityStore);
      return { type: ct.type(), body: Buffer.from(ct.serialize()) };
    });
  }

  async decrypt(address, deviceId, type, body) {
    const addr = ProtocolAddress.new(address, deviceId);
    const s = this.stores;
    return this._tx('message', async () => {
      if (type === 2) {
        const m = SignalMessage.deserialize(Buffer.from(body));
        return Buffer.from(await SignalClient.signalDecrypt(m, addr, s.sessionStore, s.identityStore));
      }
      if (type === 3) {
        const m = PreKeySignalMessage.deserialize(Buffer.from(body));
        return Buffer.from(await SignalClient.signalDecryptPreKey(m, addr, s.sessionStore, s.identityStore,
          s.preKeyStore, s.signedPreKeyStore, s.kyberPreKeyStore));
      }
      throw new PartyError('bad_request', `unsupported message type ${type}`);
    });
  }

  async trust(address, identityKey) {
    const k = parsePublicKey(identityKey, 'identity_key');
    this.stores.identities.set(address, Buffer.from(k.serialize()));
  }

  async fingerprint({ version, iterations, localId, remoteId, remoteIdentityKey }) {
    const rk = parsePublicKey(remoteIdentityKey, 'remote_identity_key');
    const fp = Fingerprint.new(iterations, version, Buffer.from(localId), this.stores.identityKeyPair.publicKey,
      Buffer.from(remoteId), rk);
    return { displayable: fp.displayableFingerprint().toString(), scannable: Buffer.from(fp.scannableFingerprint().toBuffer()) };
  }

  // ---- groups (sender keys) ----
  _self() { return ProtocolAddress.new(this.address, this.deviceId); }

  async groupCreate(distributionId) {
    return this._tx('group', async () => {
      const skdm = await SenderKeyDistributionMessage.create(this._self(), distributionId, this.stores.senderKeyStore);
      return Buffer.from(skdm.serialize());
    });
  }

  async groupProcess(address, deviceId, distributionMessage) {
    return this._tx('group', async () => {
      const skdm = SenderKeyDistributionMessage.deserialize(Buffer.from(distributionMessage));
      await SignalClient.processSenderKeyDistributionMessage(ProtocolAddress.new(address, deviceId), skdm, this.stores.senderKeyStore);
    });
  }

  async groupEncrypt(distributionId, plaintext) {
    return this._tx('group', async () => {
      const ct = await SignalClient.groupEncrypt(this._self(), distributionId, this.stores.senderKeyStore, Buffer.from(plaintext));
      return Buffer.from(ct.serialize());
    });
  }

  async groupDecrypt(address, deviceId, body) {
    return this._tx('group', async () =>
      Buffer.from(await SignalClient.groupDecrypt(ProtocolAddress.new(address, deviceId), this.stores.senderKeyStore, Buffer.from(body))));
  }

  async close() {}
}

module.exports = { LibParty, MemStores, classifyLibError, Direction };
