'use strict';
// State of one reference-driver party: identity, prekeys, signed prekeys,
// sessions, trusted identities and sender keys, kept serialized in Maps and
// exposed to libsignal through its store interfaces.
//
// Transactions: every driver request runs between begin() and commit() /
// rollback(). rollback() restores the maps as they were at begin(), so a failed
// request changes nothing, even where libsignal itself would already have
// written to its stores (it records the sender identity of a PreKey message
// before decrypting the inner message).
//
// Persistence (optional, `dir`): one file per stored item, under
//   meta.json                              address, device, registration id, identity key pair
//   prekeys/<id>  signed_prekeys/<id>      PreKeyRecord / SignedPreKeyRecord bytes
//   sessions/<hex(name)>.<device>          SessionRecord bytes
//   identities/<hex(name)>                 33-byte trusted identity key
//   sender_keys/<hex(name)>.<device>.<uuid> SenderKeyRecord bytes
// A commit first writes the whole change set to journal.json (write temp file,
// fsync, rename), then applies each file with write-temp + rename (or unlink),
// then removes the journal. Opening a store replays a leftover journal, so a
// SIGKILL at any moment leaves either the old or the new state, never a mix.

const fs = require('fs');
const path = require('path');
const SignalClient = require('@signalapp/libsignal-client');
const { PublicKey, PreKeyRecord, SignedPreKeyRecord, SessionRecord, SenderKeyRecord, IdentityKeyPair } = SignalClient;

const CATEGORIES = ['prekeys', 'signedPrekeys', 'sessions', 'identities', 'senderKeys'];
const DIRS = { prekeys: 'prekeys', signedPrekeys: 'signed_prekeys', sessions: 'sessions', identities: 'identities', senderKeys: 'sender_keys' };
const META = 'meta.json';
const JOURNAL = 'journal.json';
const META_FORMAT = 'hush-interop-ref/1';

const hex = (s) => Buffer.from(s, 'utf8').toString('hex');
const unhex = (s) => Buffer.from(s, 'hex').toString('utf8');

function fsyncPath(p) {
  let fd;
  try {
    fd = fs.openSync(p, 'r');
    fs.fsyncSync(fd);
  } catch (_) {
    // directories cannot be fsynced on every platform; best effort
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

// Write a file atomically: temp file in the same directory, fsync, rename.
function atomicWrite(file, data) {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

// Storage key (within a category) -> relative file path, and back.
function relPath(cat, key) {
  switch (cat) {
    case 'prekeys':
    case 'signedPrekeys':
      return path.join(DIRS[cat], String(key));
    case 'sessions': {
      const i = key.lastIndexOf('.');
      return path.join(DIRS[cat], `${hex(key.slice(0, i))}.${key.slice(i + 1)}`);
    }
    case 'identities':
      return path.join(DIRS[cat], hex(key));
    case 'senderKeys': {
      // key = "<name>.<device>::<uuid lowercase>"
      const j = key.lastIndexOf('::');
      const addr = key.slice(0, j);
      const uuid = key.slice(j + 2);
      const i = addr.lastIndexOf('.');
      return path.join(DIRS[cat], `${hex(addr.slice(0, i))}.${addr.slice(i + 1)}.${uuid}`);
    }
    default:
      throw new Error(`unknown category ${cat}`);
  }
}

function keyFromFile(cat, file) {
  switch (cat) {
    case 'prekeys':
    case 'signedPrekeys':
      return /^\d+$/.test(file) ? Number(file) : undefined;
    case 'sessions': {
      const m = /^([0-9a-f]*)\.(\d+)$/.exec(file);
      return m ? `${unhex(m[1])}.${m[2]}` : undefined;
    }
    case 'identities':
      return /^[0-9a-f]*$/.test(file) ? unhex(file) : undefined;
    case 'senderKeys': {
      const m = /^([0-9a-f]*)\.(\d+)\.([0-9a-f-]{36})$/.exec(file);
      return m ? `${unhex(m[1])}.${m[2]}::${m[3]}` : undefined;
    }
    default:
      return undefined;
  }
}

class PartyStore {
  constructor({ identityKeyPair, registrationId, dir = null }) {
    this.identityKeyPair = identityKeyPair;
    this.registrationId = registrationId;
    this.dir = dir;
    for (const c of CATEGORIES) this[c] = new Map();
    this.missingPrekey = false;
    this._snap = null;
    this._makeLibsignalStores();
  }

  // ---- opening / creating a persistent store ----
  // Returns {store, created} or throws Error with .badRequest set.
  static open(dir, { address, deviceId, registrationId }) {
    const bad = (msg) => Object.assign(new Error(msg), { badRequest: true });
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw bad(`cannot create store directory ${dir}: ${e.message}`);
    }
    if (!fs.statSync(dir).isDirectory()) throw bad(`store path ${dir} is not a directory`);
    const metaPath = path.join(dir, META);
    let meta = null;
    if (fs.existsSync(metaPath)) {
      try {
        meta = JSON.parse(fs.readFileSync(metaPath, 'utf8'));
      } catch (e) {
        throw bad(`store meta.json unreadable: ${e.message}`);
      }
      if (meta.format !== META_FORMAT) throw bad(`store format ${meta.format} is not ${META_FORMAT}`);
      if (meta.address !== address || meta.device_id !== deviceId || meta.registration_id !== registrationId) {
        throw bad(`store belongs to ${meta.address}.${meta.device_id} (registration id ${meta.registration_id}), not ${address}.${deviceId} (registration id ${registrationId})`);
      }
    }
    if (!meta) {
      // New store: make the directories first, then the meta file last (atomic),
      // so a store with meta.json is always complete.
      for (const c of CATEGORIES) fs.mkdirSync(path.join(dir, DIRS[c]), { recursive: true });
      const ikp = IdentityKeyPair.generate();
      meta = {
        format: META_FORMAT,
        address, device_id: deviceId, registration_id: registrationId,
        identity_key_pair: Buffer.from(ikp.serialize()).toString('base64'),
      };
      atomicWrite(metaPath, JSON.stringify(meta));
      fsyncPath(dir);
    }
    const store = new PartyStore({
      identityKeyPair: IdentityKeyPair.deserialize(Buffer.from(meta.identity_key_pair, 'base64')),
      registrationId, dir,
    });
    store._recover();
    store._load();
    return store;
  }

  _recover() {
    const jp = path.join(this.dir, JOURNAL);
    if (fs.existsSync(jp)) {
      let journal = null;
      try {
        journal = JSON.parse(fs.readFileSync(jp, 'utf8'));
      } catch (_) {
        journal = null; // cannot happen with rename-into-place, but never apply half a journal
      }
      if (journal) this._apply(journal.ops);
      fs.unlinkSync(jp);
    }
    // remove stray temp files left by a kill mid-write
    for (const sub of ['.', ...Object.values(DIRS)]) {
      const d = path.join(this.dir, sub);
      if (!fs.existsSync(d)) continue;
      for (const f of fs.readdirSync(d)) if (f.includes('.tmp-')) fs.unlinkSync(path.join(d, f));
    }
  }

  _load() {
    for (const c of CATEGORIES) {
      const d = path.join(this.dir, DIRS[c]);
      fs.mkdirSync(d, { recursive: true });
      for (const f of fs.readdirSync(d)) {
        const key = keyFromFile(c, f);
        if (key === undefined) continue;
        this[c].set(key, fs.readFileSync(path.join(d, f)));
      }
    }
  }

  _apply(ops) {
    for (const op of ops) {
      const full = path.join(this.dir, op.path);
      if (op.data === null) {
        try { fs.unlinkSync(full); } catch (e) { if (e.code !== 'ENOENT') throw e; }
      } else {
        atomicWrite(full, Buffer.from(op.data, 'base64'));
      }
    }
    for (const sub of Object.values(DIRS)) fsyncPath(path.join(this.dir, sub));
  }

  // ---- transactions ----
  begin() {
    this._snap = {};
    for (const c of CATEGORIES) this._snap[c] = new Map(this[c]);
    this.missingPrekey = false;
  }

  rollback() {
    if (this._snap) for (const c of CATEGORIES) this[c] = this._snap[c];
    this._snap = null;
  }

  commit() {
    const snap = this._snap;
    this._snap = null;
    if (!this.dir || !snap) return;
    const ops = [];
    for (const c of CATEGORIES) {
      const before = snap[c];
      const after = this[c];
      for (const [k, v] of after) {
        const old = before.get(k);
        if (!old || !old.equals(v)) ops.push({ path: relPath(c, k), data: v.toString('base64') });
      }
      for (const k of before.keys()) if (!after.has(k)) ops.push({ path: relPath(c, k), data: null });
    }
    if (ops.length === 0) return;
    const jp = path.join(this.dir, JOURNAL);
    atomicWrite(jp, JSON.stringify({ ops }));
    fsyncPath(this.dir);
    this._apply(ops);
    fs.unlinkSync(jp);
  }

  // ---- libsignal store interfaces ----
  _makeLibsignalStores() {
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
        const old = self.identities.get(addr.name());
        const ser = Buffer.from(key.serialize());
        self.identities.set(addr.name(), ser);
        return !!old && !old.equals(ser);
      }
      async isTrustedIdentity(addr, key) {
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
      async saveKyberPreKey() { throw new Error('kyber prekeys are not supported (version 3 only)'); }
      async getKyberPreKey(id) { throw new Error(`no kyber prekey with id ${id} (version 3 only)`); }
      async markKyberPreKeyUsed() { throw new Error('kyber prekeys are not supported (version 3 only)'); }
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
}

module.exports = { PartyStore };
