'use strict';
// Identity keys (trust on first use, trust), bundle verification, prekey ids.
const { PrivateKey, IdentityKeyPair } = require('@signalapp/libsignal-client');
const { send, recv, recvFail, establish, handshake } = require('../lib/conv');
const { expectError } = require('../lib/util');

const freshKey = () => Buffer.from(PrivateKey.generate().getPublicKey().serialize());
const b64 = (b) => Buffer.from(b).toString('base64');
const unb64 = (s) => Buffer.from(s, 'base64');
const flipB64 = (s, i) => {
  const b = unb64(s);
  b[i < 0 ? b.length + i : i] ^= 1;
  return b64(b);
};
const setByte0 = (s, v) => {
  const b = unb64(s);
  b[0] = v;
  return b64(b);
};

module.exports = [
  {
    name: 'identity change and trust',
    both: true,
    async run(ctx) {
      // [lib->driver]: the driver observes libsignal's identity change; [driver->lib]: the reverse.
      const observerIsDriver = ctx.dir === 'lib->driver';
      const O = observerIsDriver ? await ctx.driver({ address: 'olivia' }) : ctx.lib({ address: 'olivia' });
      const makeC = async (deviceId = 1, identityKeyPair) => (observerIsDriver
        ? ctx.lib({ address: 'carl', deviceId, identityKeyPair })
        : ctx.driver({ address: 'carl', deviceId }));
      const C1 = await makeC();
      await handshake(C1, O, ctx.rng);
      const old = await send(C1, O, ctx.rng.bytes(9), { type: 2 }); // in flight from the old identity
      // carl re-creates his identity at the same address
      const C2 = await makeC();
      const bO = await O.generateBundle({ signedPrekeyId: 8, prekeyId: 32 });
      await C2.processBundle(O.address, O.deviceId, bO);
      const p1 = await send(C2, O, ctx.rng.bytes(17), { type: 3 });
      const bC2 = await C2.generateBundle({ signedPrekeyId: 5, prekeyId: 55 });
      await ctx.check('PreKey message from the new identity -> untrusted_identity', () => recvFail(p1, 'untrusted_identity', { libCode: 3 }));
      await ctx.check('process_bundle with the new identity -> untrusted_identity', () => expectError(O.processBundle(C2.address, C2.deviceId, bC2), 'untrusted_identity', 'process_bundle'));
      await ctx.check('the old session still works before trust', async () => {
        await recv(await send(O, C1, ctx.rng.bytes(5), { type: 2 }));
      });
      await ctx.check('trust the new key', () => O.trust(C2.address, C2.identityKey));
      await ctx.check('after trust: encrypt on the old session -> untrusted_identity', () => expectError(O.encrypt(C1.address, C1.deviceId, ctx.rng.bytes(4)), 'untrusted_identity', 'encrypt on the old session'));
      await ctx.check('after trust: decrypt on the old session -> untrusted_identity', () => recvFail(old, 'untrusted_identity', { libCode: 3 }));
      await ctx.check('after trust: the PreKey message from the new identity decrypts', () => recv(p1));
      await ctx.check('conversation with the new identity works', async () => {
        await recv(await send(O, C2, ctx.rng.bytes(6), { type: 2 }));
        await recv(await send(C2, O, ctx.rng.bytes(6), { type: 2 }));
        await recv(await send(O, C2, ctx.rng.bytes(6), { type: 2 }));
      });
      await ctx.check('after trust: process_bundle with the new identity works', async () => {
        await O.processBundle(C2.address, C2.deviceId, bC2);
        await recv(await send(O, C2, ctx.rng.bytes(6), { type: 3, preKeyId: 55, signedPreKeyId: 5 }));
        await recv(await send(C2, O, ctx.rng.bytes(6), { type: 2 }));
      });
      await ctx.check('identities are per name: device 2 with another identity -> untrusted_identity', async () => {
        const D = await makeC(2);
        await D.processBundle(O.address, O.deviceId, await O.generateBundle({ signedPrekeyId: 9, prekeyId: 33 }));
        await recvFail(await send(D, O, ctx.rng.bytes(6), { type: 3 }), 'untrusted_identity', { libCode: 3 });
        await expectError(O.processBundle(D.address, D.deviceId, await D.generateBundle({ signedPrekeyId: 1, prekeyId: 1 })), 'untrusted_identity', 'process_bundle of device 2');
      });
      if (observerIsDriver) {
        await ctx.check('identities are per name: device 3 with the trusted identity works', async () => {
          const D = await makeC(3, IdentityKeyPair.deserialize(C2.stores.identityKeyPair.serialize()));
          await D.processBundle(O.address, O.deviceId, await O.generateBundle({ signedPrekeyId: 10, prekeyId: 34 }));
          await recv(await send(D, O, ctx.rng.bytes(6), { type: 3 }));
          await recv(await send(O, D, ctx.rng.bytes(6), { type: 2 }));
          await recv(await send(C2, O, ctx.rng.bytes(6), { type: 2 }));
        });
      }
      await ctx.check('trust with a malformed key -> invalid_key', async () => {
        await expectError(O.trust('carl', Buffer.concat([Buffer.from([6]), freshKey().subarray(1)])), 'invalid_key', 'trust with type byte 0x06');
        await expectError(O.trust('carl', freshKey().subarray(0, 32)), 'invalid_key', 'trust with a 32-byte key');
        await expectError(O.trust('carl', Buffer.alloc(0)), 'invalid_key', 'trust with an empty key');
        await recv(await send(C2, O, ctx.rng.bytes(6), { type: 2 }));
      });
    },
  },
  {
    name: 'bad bundles',
    both: true,
    async run(ctx) {
      // [lib->driver]: libsignal's bundle, tampered, processed by the driver.
      const { A: Y, B: P } = await ctx.pair({ aName: 'yara', bName: 'pete' });
      const b = await Y.generateBundle({ signedPrekeyId: 7, prekeyId: 31 });
      const other = IdentityKeyPair.generate();
      const cases = [
        ['signature: one bit flipped', { signed_prekey_signature: flipB64(b.signed_prekey_signature, 5) }, 'invalid_signature'],
        ['signature: last bit flipped', { signed_prekey_signature: flipB64(b.signed_prekey_signature, -1) }, 'invalid_signature'],
        ['signature: all zero', { signed_prekey_signature: b64(Buffer.alloc(64)) }, 'invalid_signature'],
        ['signature: 63 bytes', { signed_prekey_signature: b64(unb64(b.signed_prekey_signature).subarray(0, 63)) }, 'invalid_signature'],
        ['signature: empty', { signed_prekey_signature: '' }, 'invalid_signature'],
        ['signature by another identity key', { signed_prekey_signature: b64(other.privateKey.sign(unb64(b.signed_prekey))) }, 'invalid_signature'],
        ['signed_prekey replaced by another valid key', { signed_prekey: b64(freshKey()) }, 'invalid_signature'],
        ['identity_key replaced by another valid key', { identity_key: b64(freshKey()) }, 'invalid_signature'],
        ['identity_key: type byte 0x06', { identity_key: setByte0(b.identity_key, 6) }, 'invalid_key'],
        ['identity_key: 32 bytes', { identity_key: b64(unb64(b.identity_key).subarray(0, 32)) }, 'invalid_key'],
        ['identity_key: empty', { identity_key: '' }, 'invalid_key'],
        ['signed_prekey: type byte 0x06', { signed_prekey: setByte0(b.signed_prekey, 6) }, 'invalid_key'],
        ['signed_prekey: 1 byte', { signed_prekey: b64(Buffer.from([5])) }, 'invalid_key'],
        ['signed_prekey: empty', { signed_prekey: '' }, 'invalid_key'],
        ['prekey: type byte 0x00', { prekey: setByte0(b.prekey, 0) }, 'invalid_key'],
        ['prekey: 32 bytes', { prekey: b64(unb64(b.prekey).subarray(0, 32)) }, 'invalid_key'],
      ];
      for (const [name, patch, code] of cases) {
        await ctx.check(`${name} -> ${code}`, () => expectError(P.processBundle(Y.address, Y.deviceId, { ...b, ...patch }), code, `process_bundle (${name})`));
      }
      await ctx.check('the genuine bundle is accepted afterwards and the session works', async () => {
        await P.processBundle(Y.address, Y.deviceId, b);
        await recv(await send(P, Y, ctx.rng.bytes(10), { type: 3, preKeyId: 31, signedPreKeyId: 7 }));
        await recv(await send(Y, P, ctx.rng.bytes(10), { type: 2 }));
      });
    },
  },
  {
    name: 'unknown or used prekey ids',
    both: true,
    async run(ctx) {
      // [lib->driver]: the driver receives the PreKey messages.
      const { A: S, B: R } = await ctx.pair();
      const b = await R.generateBundle({ signedPrekeyId: 7, prekeyId: 31 });
      await ctx.check('one-time prekey id never generated -> invalid_prekey', async () => {
        await S.processBundle(R.address, R.deviceId, { ...b, prekey_id: 99 });
        await recvFail(await send(S, R, ctx.rng.bytes(8), { type: 3, preKeyId: 99 }), 'invalid_prekey');
      });
      await ctx.check('signed prekey id never generated -> invalid_prekey', async () => {
        await S.processBundle(R.address, R.deviceId, { ...b, signed_prekey_id: 77 });
        await recvFail(await send(S, R, ctx.rng.bytes(8), { type: 3, signedPreKeyId: 77 }), 'invalid_prekey');
      });
      await ctx.check('signed prekey id never generated, no one-time prekey -> invalid_prekey', async () => {
        const nb = { ...b, signed_prekey_id: 78 };
        delete nb.prekey_id;
        delete nb.prekey;
        await S.processBundle(R.address, R.deviceId, nb);
        await recvFail(await send(S, R, ctx.rng.bytes(8), { type: 3, preKeyId: null, signedPreKeyId: 78 }), 'invalid_prekey');
      });
      await ctx.check('the genuine bundle works (nothing was consumed)', async () => {
        await S.processBundle(R.address, R.deviceId, b);
        await recv(await send(S, R, ctx.rng.bytes(8), { type: 3, preKeyId: 31, signedPreKeyId: 7 }));
      });
      await ctx.check('one-time prekey already used (same bundle again) -> invalid_prekey', async () => {
        await S.processBundle(R.address, R.deviceId, b);
        await recvFail(await send(S, R, ctx.rng.bytes(8), { type: 3, preKeyId: 31 }), 'invalid_prekey');
      });
      await ctx.check('signed prekey is reusable without a one-time prekey', async () => {
        const nb = { ...b };
        delete nb.prekey_id;
        delete nb.prekey;
        await S.processBundle(R.address, R.deviceId, nb);
        await recv(await send(S, R, ctx.rng.bytes(8), { type: 3, preKeyId: null, signedPreKeyId: 7 }));
      });
      await ctx.check('conversation continues', async () => {
        await recv(await send(R, S, ctx.rng.bytes(8), { type: 2 }));
        await recv(await send(S, R, ctx.rng.bytes(8), { type: 2 }));
      });
    },
  },
];
