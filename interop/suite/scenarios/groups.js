'use strict';
// Group messages (sender keys), both directions.
const crypto = require('crypto');
const P = require('../lib/proto');
const { fail, eq, eqBuf, expectError } = require('../lib/util');

const uuidBytes = (u) => Buffer.from(u.replace(/-/g, ''), 'hex');

function checkSkdm(buf, dist, what) {
  if (buf.length < 65 || buf[0] !== 0x33) fail(`${what}: not a 0x33-framed SenderKeyDistributionMessage`);
  const f = P.decodeFields(buf.subarray(1));
  eq(f.map((x) => x.num).join(','), '1,2,3,4,5', `${what}: fields`);
  eqBuf(P.getField(f, 1), uuidBytes(dist), `${what}: distribution uuid`);
  eq(P.getField(f, 4).length, 32, `${what}: chain key length`);
  eq(P.getField(f, 5).length, 33, `${what}: signing key length`);
  return { chainId: Number(P.getField(f, 2)), iteration: Number(P.getField(f, 3)) };
}

function checkSkm(buf, dist, { chainId, iteration, ptLen }, what) {
  if (buf.length < 65 || buf[0] !== 0x33) fail(`${what}: not a 0x33-framed SenderKeyMessage`);
  const f = P.decodeFields(buf.subarray(1, buf.length - 64));
  eq(f.map((x) => x.num).join(','), '1,2,3,4', `${what}: fields`);
  eqBuf(P.getField(f, 1), uuidBytes(dist), `${what}: distribution uuid`);
  if (chainId !== undefined) eq(Number(P.getField(f, 2)), chainId, `${what}: chain_id`);
  if (iteration !== undefined) eq(Number(P.getField(f, 3)), iteration, `${what}: iteration`);
  if (ptLen !== undefined) eq(P.getField(f, 4).length, 16 * Math.floor(ptLen / 16) + 16, `${what}: ciphertext length`);
}

const flip = (b, i) => {
  const c = Buffer.from(b);
  c[i < 0 ? c.length + i : i] ^= 1;
  return c;
};

module.exports = [
  {
    name: 'group messages (sender keys)',
    both: true,
    async run(ctx) {
      // [driver->lib]: the driver is the group sender; [lib->driver]: the driver receives.
      const driverSends = ctx.dir === 'driver->lib';
      const G = driverSends ? await ctx.driver({ address: 'gina' }) : ctx.lib({ address: 'gina' });
      const M = driverSends ? ctx.lib({ address: 'mike' }) : await ctx.driver({ address: 'mike' });
      const dist = crypto.randomUUID();
      let chainId;
      const msgs = [];
      const enc = async (n, opts = {}) => {
        const pt = ctx.rng.bytes(n);
        const body = await G.groupEncrypt(opts.dist || dist, pt);
        checkSkm(body, dist, { chainId, iteration: opts.iteration, ptLen: n }, `group message ${msgs.length}`);
        const m = { body, pt };
        msgs.push(m);
        return m;
      };
      const dec = async (m, what) => eqBuf(await M.groupDecrypt(G.address, G.deviceId, m.body), m.pt, what || 'group_decrypt');
      // set-up (a failure here fails the scenario without running the rest)
      const skdm = await G.groupCreate(dist);
      ({ chainId } = checkSkdm(skdm, dist, 'distribution message'));
      eq(checkSkdm(skdm, dist, 'distribution message').iteration, 0, 'distribution message iteration');
      await M.groupProcess(G.address, G.deviceId, skdm);
      await ctx.check('in-order messages', async () => {
        for (let i = 0; i < 3; i++) await dec(await enc(10 * i, { iteration: i }), `message ${i}`);
      });
      await ctx.check('out of order and duplicates', async () => {
        const batch = [];
        for (let i = 0; i < 5; i++) batch.push(await enc(ctx.rng.int(50), { iteration: 3 + i }));
        for (const i of [3, 0, 4, 1]) await dec(batch[i], `message ${3 + i} out of order`);
        await expectError(M.groupDecrypt(G.address, G.deviceId, batch[0].body), 'duplicate_message', 'the same group message again', { libCode: 1 });
        await expectError(M.groupDecrypt(G.address, G.deviceId, msgs[0].body), 'duplicate_message', 'an old group message again', { libCode: 1 });
        await dec(batch[2]);
      });
      await ctx.check('tampered group messages -> invalid_message, genuine still decrypts', async () => {
        const m = await enc(33);
        const cases = [
          ['signature bit flipped', flip(m.body, -5)],
          ['ciphertext bit flipped', flip(m.body, m.body.length - 70)],
          ['version byte 0x23', Buffer.concat([Buffer.from([0x23]), m.body.subarray(1)])],
          ['version byte 0x43', Buffer.concat([Buffer.from([0x43]), m.body.subarray(1)])],
          ['truncated by 1 byte', m.body.subarray(0, m.body.length - 1)],
          ['truncated to 64 bytes', m.body.subarray(0, 64)],
          ['empty', Buffer.alloc(0)],
          ['random garbage', ctx.rng.bytes(120)],
        ];
        for (const [what, body] of cases) await expectError(M.groupDecrypt(G.address, G.deviceId, body), 'invalid_message', `group_decrypt, ${what}`);
        await dec(m, 'genuine message after the failures');
      });
      await ctx.check('no sender key -> no_session', async () => {
        const m = await enc(5);
        await expectError(M.groupDecrypt('nobody', 1, m.body), 'no_session', 'group_decrypt from a member without a sender key');
        await expectError(M.groupEncrypt(dist, Buffer.from('x')), 'no_session', 'group_encrypt before group_create');
        const dist2 = crypto.randomUUID();
        await G.groupCreate(dist2);
        const other = await G.groupEncrypt(dist2, Buffer.from('y'));
        await expectError(M.groupDecrypt(G.address, G.deviceId, other), 'no_session', 'group_decrypt for a distribution id without state');
        await dec(m);
      });
      await ctx.check('malformed distribution message -> invalid_message', async () => {
        const skdm = await G.groupCreate(dist);
        for (const [what, body] of [['truncated', skdm.subarray(0, 40)], ['empty', Buffer.alloc(0)], ['garbage', ctx.rng.bytes(90)],
          ['version byte 0x23', Buffer.concat([Buffer.from([0x23]), skdm.subarray(1)])]]) {
          await expectError(M.groupProcess(G.address, G.deviceId, body), 'invalid_message', `group_process, ${what}`);
        }
      });
      await ctx.check('processing a held distribution message again changes nothing', async () => {
        const skdm = await G.groupCreate(dist); // reuses the sender key, current iteration
        const info = checkSkdm(skdm, dist, 'distribution message after sends');
        eq(info.chainId, chainId, 'chain_id of the reused sender key');
        if (info.iteration !== msgs.length) fail(`distribution message iteration ${info.iteration}, expected ${msgs.length}`);
        await M.groupProcess(G.address, G.deviceId, skdm);
        await expectError(M.groupDecrypt(G.address, G.deviceId, msgs[1].body), 'duplicate_message', 'an old group message after re-processing', { libCode: 1 });
        await dec(await enc(7));
      });
      await ctx.check('distribution ids compare case-insensitively', async () => {
        const m = await enc(9, { dist: dist.toUpperCase() });
        await dec(m);
      });
    },
  },
];
