'use strict';
// Tampering: every region of PreKeySignalMessage and SignalMessage, delivered
// to the receiver. Each tampered copy must fail with the contract's code and
// change nothing: the genuine message still decrypts afterwards.
//
// Direction [lib->driver]: libsignal sends, the driver receives the tampered
// copies (the real test). [driver->lib]: the driver's output is tampered and
// fed to libsignal (sanity: libsignal rejects it the same way).
const P = require('../lib/proto');
const { send, recv, recvFail, establish } = require('../lib/conv');
const { PrivateKey } = require('@signalapp/libsignal-client');

const KEY_CODES = ['invalid_message', 'invalid_key']; // a malformed key inside a message: see README
const freshKey = () => Buffer.from(PrivateKey.generate().getPublicKey().serialize());
const flip = (buf, i) => {
  const b = Buffer.from(buf);
  const j = i < 0 ? b.length + i : i;
  b[j] ^= 0x01;
  return b;
};
const withByte0 = (buf, v) => {
  const b = Buffer.from(buf);
  b[0] = v;
  return b;
};

// ---- SignalMessage tampering: fn({version, fields, mac}) -> body
function tSig(body, fn) {
  const m = P.parseSignalMessage(body);
  return fn({ version: m.version, fields: m.fields, mac: m.mac, proto: m.proto, m });
}
const sigBuild = (x) => P.buildSignalMessage(x);
const sigSet = (num, val) => (x) => sigBuild({ ...x, fields: P.setField(x.fields, num, val) });
const sigDel = (num) => (x) => sigBuild({ ...x, fields: P.removeField(x.fields, num) });

// ---- PreKeySignalMessage tampering
function tPk(body, fn) {
  const m = P.parsePreKeyMessage(body);
  return fn({ version: m.version, fields: m.fields, m });
}
const pkBuild = (x) => P.buildPreKeyMessage(x);
const pkSet = (num, val) => (x) => pkBuild({ ...x, fields: P.setField(x.fields, num, val) });
const pkDel = (num) => (x) => pkBuild({ ...x, fields: P.removeField(x.fields, num) });
const pkInner = (fn) => (x) => pkBuild({ ...x, fields: P.setField(x.fields, P.PKM.message, tSig(P.getField(x.fields, P.PKM.message), fn)) });

// Cases that must fail on a SignalMessage: [name, make(body, rng) -> tampered, code(s)].
// `usedCounter` is a counter of this chain that the receiver already used.
function signalCases(usedCounter) {
  const sm = (b) => P.parseSignalMessage(b);
  const macOf = (b) => b.subarray(b.length - 8);
  const headOf = (b) => b.subarray(0, b.length - 8);
  return [
    ['version byte 0x24 (too old)', (b) => withByte0(b, 0x24), 'invalid_message'],
    ['version byte 0x54 (unknown)', (b) => withByte0(b, 0x54), 'invalid_message'],
    ['version byte 0x44 (not the session version)', (b) => withByte0(b, 0x44), 'invalid_message'],
    ['version byte 0x33 (the low nibble is covered by the MAC)', (b) => withByte0(b, 0x33), 'invalid_message'],
    ['version byte 0x04', (b) => withByte0(b, 0x04), 'invalid_message'],
    ['version byte 0xf4', (b) => withByte0(b, 0xf4), 'invalid_message'],
    ['ratchet_key: one bit flipped', (b) => tSig(b, sigSet(1, flip(sm(b).ratchetKey, 10))), 'invalid_message'],
    ['ratchet_key: a different valid key', (b) => tSig(b, sigSet(1, freshKey())), 'invalid_message'],
    ['ratchet_key: type byte 0x06', (b) => tSig(b, sigSet(1, withByte0(sm(b).ratchetKey, 0x06))), KEY_CODES],
    ['ratchet_key: 32 bytes', (b) => tSig(b, sigSet(1, sm(b).ratchetKey.subarray(0, 32))), KEY_CODES],
    ['ratchet_key: empty', (b) => tSig(b, sigSet(1, Buffer.alloc(0))), KEY_CODES],
    ['ratchet_key: missing', (b) => tSig(b, sigDel(1)), 'invalid_message'],
    ['counter + 1', (b) => tSig(b, sigSet(2, BigInt(sm(b).counter + 1))), 'invalid_message'],
    ['counter + 1000', (b) => tSig(b, sigSet(2, BigInt(sm(b).counter + 1000))), 'invalid_message'],
    ['counter + 25001 (too far ahead)', (b) => tSig(b, sigSet(2, BigInt(sm(b).counter + 25001))), 'invalid_message'],
    ['counter 2^32-1', (b) => tSig(b, sigSet(2, 0xffffffffn)), 'invalid_message'],
    ['counter missing', (b) => tSig(b, sigDel(2)), 'invalid_message'],
    [`counter replaced by an already used counter (${usedCounter}; checked before the MAC)`, (b) => tSig(b, sigSet(2, BigInt(usedCounter))), 'duplicate_message'],
    ['previous_counter + 1', (b) => tSig(b, sigSet(3, BigInt((sm(b).previousCounter || 0) + 1))), 'invalid_message'],
    ['previous_counter missing', (b) => tSig(b, sigDel(3)), 'invalid_message'],
    ['ciphertext: first byte flipped', (b) => tSig(b, sigSet(4, flip(sm(b).ciphertext, 0))), 'invalid_message'],
    ['ciphertext: last byte flipped', (b) => tSig(b, sigSet(4, flip(sm(b).ciphertext, -1))), 'invalid_message'],
    ['ciphertext: last block removed', (b) => tSig(b, sigSet(4, sm(b).ciphertext.subarray(0, sm(b).ciphertext.length - 16))), 'invalid_message'],
    ['ciphertext: one block appended', (b, rng) => tSig(b, sigSet(4, Buffer.concat([sm(b).ciphertext, rng.bytes(16)]))), 'invalid_message'],
    ['ciphertext: 15 bytes removed', (b) => tSig(b, sigSet(4, sm(b).ciphertext.subarray(0, sm(b).ciphertext.length - 15))), 'invalid_message'],
    ['ciphertext: empty', (b) => tSig(b, sigSet(4, Buffer.alloc(0))), 'invalid_message'],
    ['ciphertext: missing', (b) => tSig(b, sigDel(4)), 'invalid_message'],
    ['MAC: first byte flipped', (b) => Buffer.concat([headOf(b), flip(macOf(b), 0)]), 'invalid_message'],
    ['MAC: last byte flipped', (b) => flip(b, -1), 'invalid_message'],
    ['MAC: all zero', (b) => Buffer.concat([headOf(b), Buffer.alloc(8)]), 'invalid_message'],
    ['MAC: removed', (b) => headOf(b), 'invalid_message'],
    ['MAC: one byte appended', (b) => Buffer.concat([b, Buffer.from([0])]), 'invalid_message'],
    ['unknown protobuf field 9 added', (b) => tSig(b, (x) => sigBuild({ ...x, fields: [...x.fields, { num: 9, wt: P.WT_VARINT, value: 1n }] })), 'invalid_message'],
    ['fields in reverse order', (b) => tSig(b, (x) => sigBuild({ ...x, fields: x.fields.slice().reverse() })), 'invalid_message'],
    ['truncated to 0 bytes (empty body)', () => Buffer.alloc(0), 'invalid_message'],
    ['truncated to 1 byte', (b) => b.subarray(0, 1), 'invalid_message'],
    ['truncated to 8 bytes', (b) => b.subarray(0, 8), 'invalid_message'],
    ['truncated to 9 bytes', (b) => b.subarray(0, 9), 'invalid_message'],
    ['truncated to 30 bytes', (b) => b.subarray(0, 30), 'invalid_message'],
    ['truncated by 9 bytes', (b) => b.subarray(0, b.length - 9), 'invalid_message'],
    ['truncated by 1 byte', (b) => b.subarray(0, b.length - 1), 'invalid_message'],
    ['random garbage, 9 bytes', (b, rng) => rng.bytes(9), 'invalid_message'],
    ['random garbage, 64 bytes', (b, rng) => rng.bytes(64), 'invalid_message'],
    ['random garbage after a 0x34 byte, 300 bytes', (b, rng) => Buffer.concat([Buffer.from([0x34]), rng.bytes(299)]), 'invalid_message'],
    ['bad protobuf (overlong varint) with a MAC', (b, rng) => Buffer.concat([Buffer.from([0x34, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), rng.bytes(8)]), 'invalid_message'],
  ];
}

// Cases that must fail on a first PreKey message (no state, no identity recorded yet).
function preKeyFirstCases(rng, body, { otherOpk, otherSpk }) {
  const m = P.parsePreKeyMessage(body);
  const inner = m.message;
  return [
    ['identity_key: a different valid key (none recorded yet)', tPk(body, pkSet(3, freshKey())), 'invalid_message'],
    ['identity_key: one bit flipped', tPk(body, pkSet(3, flip(m.identityKey, 20))), 'invalid_message'],
    ['identity_key: type byte 0x06', tPk(body, pkSet(3, withByte0(m.identityKey, 0x06))), KEY_CODES],
    ['identity_key: 1 byte', tPk(body, pkSet(3, Buffer.from([5]))), KEY_CODES],
    ['identity_key: missing', tPk(body, pkDel(3)), 'invalid_message'],
    ['version byte 0x24 (too old)', withByte0(body, 0x24), 'invalid_message'],
    ['version byte 0x54 (unknown)', withByte0(body, 0x54), 'invalid_message'],
    ['version byte 0x44 (version 4 without Kyber)', withByte0(body, 0x44), 'invalid_message'],
    ['version byte 0x04', withByte0(body, 0x04), 'invalid_message'],
    ['pre_key_id unknown (99)', tPk(body, pkSet(1, 99n)), 'invalid_prekey'],
    [`pre_key_id of another held prekey (${otherOpk})`, tPk(body, pkSet(1, BigInt(otherOpk))), 'invalid_message'],
    ['pre_key_id missing', tPk(body, pkDel(1)), 'invalid_message'],
    ['signed_pre_key_id unknown (99)', tPk(body, pkSet(6, 99n)), 'invalid_prekey'],
    [`signed_pre_key_id of another held signed prekey (${otherSpk})`, tPk(body, pkSet(6, BigInt(otherSpk))), 'invalid_message'],
    ['signed_pre_key_id missing', tPk(body, pkDel(6)), 'invalid_message'],
    ['base_key: one bit flipped', tPk(body, pkSet(2, flip(m.baseKey, 7))), 'invalid_message'],
    ['base_key: a different valid key', tPk(body, pkSet(2, freshKey())), 'invalid_message'],
    ['base_key: type byte 0x06', tPk(body, pkSet(2, withByte0(m.baseKey, 0x06))), KEY_CODES],
    ['base_key: 32 bytes', tPk(body, pkSet(2, m.baseKey.subarray(0, 32))), KEY_CODES],
    ['base_key: missing', tPk(body, pkDel(2)), 'invalid_message'],
    ['message: inner ciphertext byte flipped', tPk(body, pkInner((x) => sigBuild({ ...x, fields: P.setField(x.fields, 4, flip(P.getField(x.fields, 4), 3)) }))), 'invalid_message'],
    ['message: inner MAC byte flipped', tPk(body, pkSet(4, flip(inner, -3))), 'invalid_message'],
    ['message: inner version byte 0x24', tPk(body, pkSet(4, withByte0(inner, 0x24))), 'invalid_message'],
    ['message: inner version byte 0x33', tPk(body, pkSet(4, withByte0(inner, 0x33))), 'invalid_message'],
    ['message: inner counter 1', tPk(body, pkInner((x) => sigBuild({ ...x, fields: P.setField(x.fields, 2, 1n) }))), 'invalid_message'],
    ['message: inner ratchet key bit flipped', tPk(body, pkInner((x) => sigBuild({ ...x, fields: P.setField(x.fields, 1, flip(P.getField(x.fields, 1), 30)) }))), 'invalid_message'],
    ['message: inner truncated by 1 byte', tPk(body, pkSet(4, inner.subarray(0, inner.length - 1))), 'invalid_message'],
    ['message: 8 bytes', tPk(body, pkSet(4, inner.subarray(0, 8))), 'invalid_message'],
    ['message: empty', tPk(body, pkSet(4, Buffer.alloc(0))), 'invalid_message'],
    ['message: missing', tPk(body, pkDel(4)), 'invalid_message'],
    ['truncated to 0 bytes (empty body)', Buffer.alloc(0), 'invalid_message'],
    ['truncated to 1 byte', body.subarray(0, 1), 'invalid_message'],
    ['truncated to 10 bytes', body.subarray(0, 10), 'invalid_message'],
    ['truncated to half', body.subarray(0, body.length >> 1), 'invalid_message'],
    ['truncated by 1 byte', body.subarray(0, body.length - 1), 'invalid_message'],
    ['random garbage, 1 byte', rng.bytes(1), 'invalid_message'],
    ['random garbage, 100 bytes', rng.bytes(100), 'invalid_message'],
    ['random garbage after a 0x34 byte, 200 bytes', Buffer.concat([Buffer.from([0x34]), rng.bytes(199)]), 'invalid_message'],
  ];
}

module.exports = [
  {
    name: 'tamper PreKeySignalMessage',
    both: true,
    timeoutMs: 90000,
    async run(ctx) {
      const { A: S, B: R } = await ctx.pair();
      // Two bundles from R: the conversation uses 7/31, and 8/32 is also held.
      const bundle = await R.generateBundle({ signedPrekeyId: 7, prekeyId: 31 });
      const other = await R.generateBundle({ signedPrekeyId: 8, prekeyId: 32 });
      await S.processBundle(R.address, R.deviceId, bundle);
      const m1 = await send(S, R, ctx.rng.bytes(24), { type: 3, counter: 0 });

      // Phase A: first message, receiver has no state and no identity for S.
      for (const [name, body, code] of preKeyFirstCases(ctx.rng, m1.body, { otherOpk: 32, otherSpk: 8 })) {
        await ctx.check(`first message: ${name} -> ${Array.isArray(code) ? code.join('|') : code}`, () => recvFail(m1, code, { body }));
      }
      await ctx.check('first message: as type 2 -> invalid_message', () => recvFail(m1, 'invalid_message', { type: 2 }));
      await ctx.check('first message: genuine decrypts after all failures', () => recv(m1));
      await ctx.check('failed attempts consumed no prekey (8/32 still usable)', async () => {
        const carol = ctx.lib({ address: 'carol' });
        await carol.processBundle(R.address, R.deviceId, other);
        await recv(await send(carol, R, ctx.rng.bytes(9), { type: 3, preKeyId: 32, signedPreKeyId: 8 }));
      });

      // Phase B: later PreKey messages of the same (unacknowledged) session;
      // the receiver now holds a state with this base key and S's identity.
      const later = [
        ['identity_key: a different valid key (identity recorded)', (b) => tPk(b, pkSet(3, freshKey())), 'untrusted_identity'],
        ['base_key: a different valid key (one-time prekey 31 already used)', (b) => tPk(b, pkSet(2, freshKey())), 'invalid_prekey'],
        ['inner counter 0 (already used; checked before the MAC)', (b) => tPk(b, pkInner((x) => sigBuild({ ...x, fields: P.setField(x.fields, 2, 0n) }))), 'duplicate_message'],
        ['inner MAC byte flipped', (b) => tPk(b, pkSet(4, flip(P.parsePreKeyMessage(b).message, -1))), 'invalid_message'],
        ['inner ratchet key bit flipped', (b) => tPk(b, pkInner((x) => sigBuild({ ...x, fields: P.setField(x.fields, 1, flip(P.getField(x.fields, 1), 30)) }))), 'invalid_message'],
        ['version byte 0x54', (b) => withByte0(b, 0x54), 'invalid_message'],
        ['truncated by 1 byte', (b) => b.subarray(0, b.length - 1), 'invalid_message'],
      ];
      for (const [name, make, code] of later) {
        const m = await send(S, R, ctx.rng.bytes(17), { type: 3 });
        await ctx.check(`later message: ${name} -> ${code}`, async () => {
          await recvFail(m, code, { body: make(m.body) });
          await recv(m, { what: 'genuine message after the failure' });
        });
      }
      // Regions libsignal does not authenticate: the message still decrypts
      // (and the genuine copy is then a duplicate).
      const accepted = [
        ['registration_id changed', (b) => tPk(b, pkSet(5, 4321n))],
        ['pre_key_id changed (state with this base key exists)', (b) => tPk(b, pkSet(1, 99n))],
        ['outer version byte 0x33 (only the high nibble is checked)', (b) => withByte0(b, 0x33)],
        ['outer fields in reverse order', (b) => tPk(b, (x) => pkBuild({ ...x, fields: x.fields.slice().reverse() }))],
        ['unknown outer field 15 added', (b) => tPk(b, (x) => pkBuild({ ...x, fields: [...x.fields, { num: 15, wt: P.WT_LEN, value: Buffer.from('x') }] }))],
      ];
      for (const [name, fn] of accepted) {
        const m = await send(S, R, ctx.rng.bytes(13), { type: 3 });
        await ctx.check(`later message: ${name} -> accepted as libsignal does`, async () => {
          await recv(m, { body: fn(m.body) });
          await recvFail(m, 'duplicate_message', { what: 'genuine copy after the accepted variant' });
        });
      }
      await ctx.check('conversation continues', async () => {
        await recv(await send(R, S, ctx.rng.bytes(5), { type: 2 }));
        await recv(await send(S, R, ctx.rng.bytes(5), { type: 2 }));
      });
    },
  },
  {
    name: 'tamper SignalMessage',
    both: true,
    timeoutMs: 90000,
    async run(ctx) {
      const { A: S, B: R } = await ctx.pair();
      await establish(S, R);
      await recv(await send(S, R, ctx.rng.bytes(10), { type: 3 }));
      await recv(await send(R, S, ctx.rng.bytes(10), { type: 2 }));
      const last = await send(S, R, ctx.rng.bytes(10), { type: 2 });
      await recv(last);
      for (const [name, make, code] of signalCases(P.parseSignalMessage(last.body).counter)) {
        // a fresh genuine message for each case, tampered
        const m = await send(S, R, ctx.rng.bytes(1 + ctx.rng.int(40)), { type: 2 });
        const body = make(m.body, ctx.rng);
        await ctx.check(`${name} -> ${Array.isArray(code) ? code.join('|') : code}`, async () => {
          await recvFail(m, code, { body });
          await recv(m, { what: 'genuine message after the failure' });
        });
      }
      await ctx.check('as type 3 -> invalid_message', async () => {
        const m = await send(S, R, ctx.rng.bytes(8), { type: 2 });
        await recvFail(m, 'invalid_message', { type: 3 });
        await recv(m);
      });
      await ctx.check('MAC of another message spliced in -> invalid_message', async () => {
        const m = await send(S, R, ctx.rng.bytes(8), { type: 2 });
        const n = await send(S, R, ctx.rng.bytes(8), { type: 2 });
        await recvFail(m, 'invalid_message', { body: Buffer.concat([m.body.subarray(0, m.body.length - 8), n.body.subarray(n.body.length - 8)]) });
        await recv(n);
        await recv(m);
      });
      await ctx.check('first message of a new chain with a bad MAC -> invalid_message', async () => {
        await recv(await send(R, S, ctx.rng.bytes(8), { type: 2 })); // S ratchets
        const m = await send(S, R, ctx.rng.bytes(8), { type: 2, counter: 0 });
        await recvFail(m, 'invalid_message', { body: flip(m.body, -4) });
        await recvFail(m, 'invalid_message', { body: tSig(m.body, sigSet(2, 5n)) });
        await recv(m);
      });
      await ctx.check('a message of another session under this address -> invalid_message', async () => {
        const X = ctx.lib({ address: 'mallory' });
        const Y = ctx.lib({ address: 'yves' });
        await establish(X, Y);
        await recv(await send(X, Y, ctx.rng.bytes(8), { type: 3 }));
        const foreign = await send(Y, X, ctx.rng.bytes(8), { type: 2 });
        await expectForeign(R, S, foreign);
      });
      await ctx.check('conversation continues', async () => {
        for (let i = 0; i < 3; i++) {
          await recv(await send(R, S, ctx.rng.bytes(5), { type: 2 }));
          await recv(await send(S, R, ctx.rng.bytes(5), { type: 2 }));
        }
      });
    },
  },
];

async function expectForeign(R, S, foreign) {
  const { expectError } = require('../lib/util');
  await expectError(R.decrypt(S.address, S.deviceId, 2, foreign.body), 'invalid_message', `${R} decrypting a foreign session's message`);
}
