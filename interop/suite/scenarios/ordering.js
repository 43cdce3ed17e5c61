'use strict';
// Out-of-order delivery, lost messages, duplicates.
const { send, recv, recvFail, establish, handshake, counterOf } = require('../lib/conv');

module.exports = [
  {
    name: 'out-of-order within a chain',
    both: true,
    async run(ctx) {
      const { A, B } = await ctx.pair();
      await handshake(A, B, ctx.rng);
      for (const [S, R] of [[A, B], [B, A]]) {
        const msgs = [];
        for (let i = 0; i < 12; i++) msgs.push(await send(S, R, ctx.rng.bytes(ctx.rng.int(80)), { type: 2 }));
        for (const m of ctx.rng.shuffle(msgs)) await recv(m, { what: `${R} decrypting counter ${counterOf(m)} (shuffled)` });
        // and the reply still works
        await recv(await send(R, S, ctx.rng.bytes(9), { type: 2 }));
      }
    },
  },
  {
    name: 'out-of-order across ratchet steps',
    both: true,
    async run(ctx) {
      const { A, B } = await ctx.pair();
      await handshake(A, B, ctx.rng);
      // Each side in turn: 4 chains of 3 messages; only the first message of each
      // chain is delivered in time (the receiver replies, so the sender ratchets);
      // all the rest arrive at the end, newest chain first, reversed in each chain.
      for (const [S, R] of [[A, B], [B, A]]) {
        const late = [];
        for (let c = 0; c < 4; c++) {
          const chain = [];
          for (let i = 0; i < 3; i++) chain.push(await send(S, R, ctx.rng.bytes(ctx.rng.int(50)), { type: 2, counter: c === 0 ? undefined : i }));
          await recv(chain[0], { what: `${R} decrypting chain ${c} message 0` });
          const reply = await send(R, S, ctx.rng.bytes(10), { type: 2 });
          await recv(reply);
          late.unshift(...chain.slice(1).reverse());
        }
        for (const m of late) await recv(m, { what: `${R} decrypting a late message (counter ${counterOf(m)}) from an older chain` });
        for (const m of late) await recvFail(m, 'duplicate_message', { what: `${R} re-decrypting a late message`, libCode: 1 });
        await recv(await send(S, R, ctx.rng.bytes(3), { type: 2 }));
        await recv(await send(R, S, ctx.rng.bytes(3), { type: 2 }));
      }
    },
  },
  {
    name: 'out-of-order PreKey messages',
    both: true,
    async run(ctx) {
      const { A, B } = await ctx.pair();
      await establish(A, B);
      const msgs = [];
      for (let i = 0; i < 8; i++) msgs.push(await send(A, B, ctx.rng.bytes(ctx.rng.int(60)), { type: 3, counter: i, preKeyId: 31, signedPreKeyId: 7 }));
      let order = ctx.rng.shuffle(msgs);
      if (order[0] === msgs[0]) order = [...order.slice(1), order[0]]; // the first delivered is not counter 0
      for (const m of order) await recv(m, { what: `${B} decrypting PreKey message with counter ${counterOf(m)}` });
      await recv(await send(B, A, ctx.rng.bytes(11), { type: 2 }));
      await recv(await send(A, B, ctx.rng.bytes(11), { type: 2 }));
    },
  },
  {
    name: 'lost messages',
    both: true,
    async run(ctx) {
      const { A, B } = await ctx.pair();
      await establish(A, B);
      // A: 5 PreKey messages, only #0 and #4 arrive
      const a = [];
      for (let i = 0; i < 5; i++) a.push(await send(A, B, ctx.rng.bytes(16), { type: 3, counter: i }));
      await recv(a[4]);
      await recv(a[0]);
      // B: 3 messages, the first two are lost
      const b = [];
      for (let i = 0; i < 3; i++) b.push(await send(B, A, ctx.rng.bytes(16), { type: 2, counter: i }));
      await recv(b[2]);
      // A: a whole chain lost, then B keeps talking on its chain, one lost
      for (let i = 0; i < 4; i++) await send(A, B, ctx.rng.bytes(16), { type: 2, counter: i });
      const b2 = [];
      for (let i = 0; i < 3; i++) b2.push(await send(B, A, ctx.rng.bytes(16), { type: 2, counter: 3 + i }));
      await recv(b2[1]);
      await recv(b2[2]);
      // conversation goes on
      for (let i = 0; i < 5; i++) {
        await recv(await send(A, B, ctx.rng.bytes(16), { type: 2 }));
        await recv(await send(B, A, ctx.rng.bytes(16), { type: 2 }));
      }
    },
  },
  {
    name: 'duplicates',
    both: true,
    async run(ctx) {
      const { A, B } = await ctx.pair();
      await establish(A, B);
      // type 3 twice
      const m1 = await send(A, B, ctx.rng.bytes(20), { type: 3 });
      const m2 = await send(A, B, ctx.rng.bytes(20), { type: 3 });
      await recv(m1);
      await recvFail(m1, 'duplicate_message', { what: `${B}: the same PreKey message again`, libCode: 1 });
      await recv(m2);
      await recvFail(m2, 'duplicate_message', { what: `${B}: a later PreKey message again`, libCode: 1 });
      await recvFail(m1, 'duplicate_message', { what: `${B}: the first PreKey message a third time`, libCode: 1 });
      // type 2 twice, in both directions, incl. a message decrypted from a stored skipped key
      const r1 = await send(B, A, ctx.rng.bytes(20), { type: 2 });
      const r2 = await send(B, A, ctx.rng.bytes(20), { type: 2 });
      await recv(r2);
      await recvFail(r2, 'duplicate_message', { what: `${A}: the same SignalMessage again`, libCode: 1 });
      await recv(r1);
      await recvFail(r1, 'duplicate_message', { what: `${A}: a skipped-key SignalMessage again`, libCode: 1 });
      const m3 = await send(A, B, ctx.rng.bytes(20), { type: 2 });
      await recv(m3);
      await recvFail(m3, 'duplicate_message', { what: `${B}: the same SignalMessage again`, libCode: 1 });
      // still fine afterwards
      await recv(await send(B, A, ctx.rng.bytes(20), { type: 2 }));
      await recv(await send(A, B, ctx.rng.bytes(20), { type: 2 }));
    },
  },
];
