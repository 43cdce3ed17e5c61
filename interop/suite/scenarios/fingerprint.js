'use strict';
// Safety numbers: the driver's fingerprint op against libsignal's Fingerprint.
const { Fingerprint, PublicKey, PrivateKey, ScannableFingerprint } = require('@signalapp/libsignal-client');
const P = require('../lib/proto');
const { fail, eq, eqBuf } = require('../lib/util');

// Known vector (facts sheet §8; libsignal's fingerprint tests).
const V = {
  aliceKey: Buffer.from('0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868', 'hex'),
  aliceId: Buffer.from('+14152222222'),
  bobKey: Buffer.from('05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b', 'hex'),
  bobId: Buffer.from('+14153333333'),
  display: '300354477692869396892869876765458257569162576843440918079131',
  bobHalf: '458257569162576843440918079131',
  aliceContent: Buffer.from('1e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df', 'hex'),
  bobContent: Buffer.from('d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d', 'hex'),
};

function libFingerprint({ iterations, version, localId, localKey, remoteId, remoteKey }) {
  const fp = Fingerprint.new(iterations, version, Buffer.from(localId), PublicKey.deserialize(localKey), Buffer.from(remoteId), PublicKey.deserialize(remoteKey));
  return { displayable: fp.displayableFingerprint().toString(), scannable: Buffer.from(fp.scannableFingerprint().toBuffer()) };
}

async function compareOne(D, inp, what) {
  const got = await D.fingerprint({ version: inp.version, iterations: inp.iterations, localId: inp.localId, remoteId: inp.remoteId, remoteIdentityKey: inp.remoteKey });
  const want = libFingerprint({ ...inp, localKey: D.identityKey });
  eq(got.displayable, want.displayable, `${what}: displayable`);
  eqBuf(got.scannable, want.scannable, `${what}: scannable`);
  // the other party's view (computed by libsignal) agrees with the driver's
  const theirs = libFingerprint({ iterations: inp.iterations, version: inp.version, localId: inp.remoteId, localKey: inp.remoteKey, remoteId: inp.localId, remoteKey: D.identityKey });
  eq(theirs.displayable, got.displayable, `${what}: the peer's displayable`);
  if (!ScannableFingerprint._fromBuffer(theirs.scannable).compare(ScannableFingerprint._fromBuffer(got.scannable))) fail(`${what}: libsignal's compare() of the peer's scannable with the driver's is false`);
  return got;
}

module.exports = [
  {
    name: 'fingerprints',
    both: false,
    async run(ctx) {
      await ctx.check('known vector with libsignal itself (harness sanity)', async () => {
        const fp = libFingerprint({ iterations: 5200, version: 2, localId: V.aliceId, localKey: V.aliceKey, remoteId: V.bobId, remoteKey: V.bobKey });
        eq(fp.displayable, V.display, 'displayable');
        eqBuf(fp.scannable, Buffer.concat([Buffer.from('080212220a20', 'hex'), V.aliceContent, Buffer.from('1a220a20', 'hex'), V.bobContent]), 'scannable');
      });
      const D = await ctx.driver({ address: 'fiona' });
      await ctx.check('known vector, remote half (the driver has its own identity key)', async () => {
        const got = await compareOne(D, { version: 2, iterations: 5200, localId: V.aliceId, remoteId: V.bobId, remoteKey: V.bobKey }, 'vector');
        if (!got.displayable.startsWith(V.bobHalf) && !got.displayable.endsWith(V.bobHalf)) fail(`displayable ${got.displayable} does not contain the vector's half ${V.bobHalf}`);
        const f = P.decodeFields(got.scannable);
        eq(Number(P.getField(f, 1)), 2, 'scannable version');
        eqBuf(P.getField(P.decodeFields(P.getField(f, 3)), 1), V.bobContent, 'scannable remote content');
        const v1 = await D.fingerprint({ version: 1, iterations: 5200, localId: V.aliceId, remoteId: V.bobId, remoteIdentityKey: V.bobKey });
        if (v1.scannable.subarray(0, 2).toString('hex') !== '0801') fail(`version 1 scannable starts with ${v1.scannable.subarray(0, 2).toString('hex')}, expected 0801`);
      });
      await ctx.check('50 random inputs (ids of 0..40 bytes, iterations 2/1024/5200, versions 1/2)', async () => {
        for (let i = 0; i < 50; i++) {
          const inp = {
            version: ctx.rng.pick([1, 2]),
            iterations: ctx.rng.pick([2, 1024, 5200]),
            localId: ctx.rng.bytes(ctx.rng.int(41)),
            remoteId: ctx.rng.bytes(ctx.rng.int(41)),
            remoteKey: Buffer.from(PrivateKey.generate().getPublicKey().serialize()),
          };
          await compareOne(D, inp, `input ${i} (version ${inp.version}, ${inp.iterations} iterations, ids of ${inp.localId.length}/${inp.remoteId.length} bytes)`);
        }
      });
      await ctx.check('own key as the remote key, equal ids', async () => {
        await compareOne(D, { version: 2, iterations: 5200, localId: Buffer.from('same'), remoteId: Buffer.from('same'), remoteKey: D.identityKey }, 'self');
      });
      await ctx.check('iterations 1,000,000 (upper bound) accepted', async () => {
        await compareOne(D, { version: 2, iterations: 1000000, localId: Buffer.from('a'), remoteId: Buffer.from('b'), remoteKey: V.bobKey }, '1,000,000 iterations');
      });
    },
  },
];
