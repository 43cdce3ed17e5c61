'use strict';
// libsignal's limits: 25,000 messages ahead, 2,000 stored skipped keys,
// 5 receiver chains per session, 40 archived session states.
const { send, recv, recvFail, establish, handshake, counterOf } = require('../lib/conv');
const { fail, checkSignalWire } = require('../lib/util');
const SignalClient = require('@signalapp/libsignal-client');

const { ProtocolAddress } = SignalClient;

// n messages from S to R, as fast as possible: pipelined requests for a
// driver, a plain loop for libsignal (25,002 encrypts take about 2 s in-process).
async function bulkEncrypt(S, R, n, rng) {
  const pts = [];
  for (let i = 0; i < n; i++) pts.push(rng.bytes(1 + (i % 23)));
  let msgs;
  if (S.kind === 'driver') {
    const reqs = pts.map((pt) => ({ op: 'encrypt', address: R.address, device_id: R.deviceId, plaintext: pt.toString('base64') }));
    const rs = await S.proc.pipeline(reqs, { timeoutMs: 90000 });
    msgs = rs.map((r, i) => {
      if (!r.ok) fail(`encrypt #${i} failed: ${r.error} ${r.message}`);
      return { type: r.type, body: Buffer.from(r.body, 'base64') };
    });
  } else {
    // straight into libsignal (no per-call snapshot): encrypt cannot fail here
    const addr = ProtocolAddress.new(R.address, R.deviceId);
    const st = S.stores;
    msgs = [];
    for (const pt of pts) {
      const ct = await SignalClient.signalEncrypt(pt, addr, st.sessionStore, st.identityStore);
      msgs.push({ type: ct.type(), body: Buffer.from(ct.serialize()) });
    }
  }
  return msgs.map((m, i) => {
    if (m.type !== 2) fail(`bulk message #${i}: type ${m.type}, expected 2`);
    if (i % 997 === 0 || i === n - 1) checkSignalWire(m.body, { ptLen: pts[i].length, what: `bulk message #${i}` });
    return { from: S, to: R, type: m.type, body: m.body, pt: pts[i] };
  });
}

module.exports = [
  {
    name: 'counter too far ahead and skipped-key limit',
    both: true,
    timeoutMs: 120000,
    async run(ctx) {
      const { A: S, B: R } = await ctx.pair();
      await handshake(S, R, ctx.rng); // S has just ratcheted: its new sending chain starts at 0
      const t0 = Date.now();
      const msgs = await bulkEncrypt(S, R, 25002, ctx.rng);
      ctx.log(`25002 encrypts by ${S}: ${Date.now() - t0} ms`);
      if (counterOf(msgs[0]) !== 0 || counterOf(msgs[25001]) !== 25001) fail('bulk messages do not have counters 0..25001');
      // R has no receiver chain for this ratchet key yet: its index is 0.
      await ctx.check('counter 25,001 ahead of a new chain -> invalid_message', () => recvFail(msgs[25001], 'invalid_message'));
      if (R.kind === 'driver') {
        await ctx.check('counter exactly 25,000 ahead -> accepted', () => recv(msgs[25000], { opts: { timeoutMs: 60000 } }));
        await ctx.check('skipped message 24,999 decrypts', () => recv(msgs[24999]));
        await ctx.check('skipped message 23,000 (oldest of the 2,000 kept keys) decrypts', () => recv(msgs[23000]));
        await ctx.check('skipped message 22,999 (key evicted) -> duplicate_message', () => recvFail(msgs[22999], 'duplicate_message'));
        await ctx.check('skipped message 0 (key evicted) -> duplicate_message', () => recvFail(msgs[0], 'duplicate_message'));
        await ctx.check('message 25,001 now decrypts', () => recv(msgs[25001]));
      } else {
        // libsignal as the receiver needs about 6 s to accept a 25,000 jump, so
        // this (sanity) direction checks the key limit with a 2,500 jump instead.
        await ctx.check('counter 2,500 ahead -> accepted', () => recv(msgs[2500]));
        await ctx.check('skipped message 500 (oldest of the 2,000 kept keys) decrypts', () => recv(msgs[500]));
        await ctx.check('skipped message 499 (key evicted) -> duplicate_message', () => recvFail(msgs[499], 'duplicate_message', { libCode: 1 }));
        await ctx.check('message 2,501 decrypts', () => recv(msgs[2501]));
      }
      await ctx.check('conversation continues', async () => {
        await recv(await send(R, S, ctx.rng.bytes(7), { type: 2 }));
        await recv(await send(S, R, ctx.rng.bytes(7), { type: 2, counter: 0 }));
      });
    },
  },
  {
    name: 'receiver chain limit (5 per session)',
    both: true,
    async run(ctx) {
      const { A, B } = await ctx.pair();
      await handshake(A, B, ctx.rng);
      for (const [S, R] of [[A, B], [B, A]]) {
        // 7 sending chains of S; only the first message of each is delivered in time.
        const late = [];
        for (let c = 0; c < 7; c++) {
          const first = await send(S, R, ctx.rng.bytes(8), { type: 2 });
          late.push(await send(S, R, ctx.rng.bytes(8), { type: 2 }));
          await recv(first);
          await recv(await send(R, S, ctx.rng.bytes(8), { type: 2 }));
        }
        // R holds receiver chains for S's chains 2..6 only (5 newest).
        for (let c = 6; c >= 2; c--) await recv(late[c], { what: `${R}: late message of chain ${c} (kept)` });
        for (const c of [1, 0]) await recvFail(late[c], 'invalid_message', { what: `${R}: late message of chain ${c} (receiver chain evicted)` });
        await recv(await send(S, R, ctx.rng.bytes(8), { type: 2 }));
        await recv(await send(R, S, ctx.rng.bytes(8), { type: 2 }));
      }
    },
  },
  {
    name: 'archived session states limit (40)',
    both: true,
    async run(ctx) {
      const { A: S, B: R } = await ctx.pair();
      await handshake(S, R, ctx.rng, { signedPrekeyId: 1, prekeyId: 1001 });
      const l1 = await send(S, R, ctx.rng.bytes(8), { type: 2 }); // session 1, held back
      let l2 = null;
      // 41 re-initiations: sessions 2..42, each acknowledged by R decrypting its first message.
      for (let k = 2; k <= 42; k++) {
        await establish(S, R, { signedPrekeyId: k, prekeyId: 1000 + k });
        const m = await send(S, R, ctx.rng.bytes(8), { type: 3, preKeyId: 1000 + k, signedPreKeyId: k });
        if (k === 2) l2 = await send(S, R, ctx.rng.bytes(8), { type: 3 }); // session 2, held back
        await recv(m, { what: `${R} decrypting the first message of session ${k}` });
      }
      // R: current = 42, archived = 41..2 (40 states); session 1 was dropped.
      await ctx.check('late message of the oldest kept state (session 2) decrypts', () => recv(l2));
      await ctx.check('late message of an evicted state (session 1) -> invalid_message', () => recvFail(l1, 'invalid_message'));
      await ctx.check('conversation continues', async () => {
        await recv(await send(R, S, ctx.rng.bytes(8), { type: 2 }));
        await recv(await send(S, R, ctx.rng.bytes(8), { type: 2 }));
      });
    },
  },
];
