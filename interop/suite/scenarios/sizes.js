'use strict';
// Plaintext sizes around the AES block size and large messages, both directions.
const { send, recv, establish } = require('../lib/conv');

const SIZES = [0, 1, 15, 16, 17, 1000, 65536, 1048576];

module.exports = [
  {
    name: 'plaintext sizes 0..1 MiB',
    both: true,
    timeoutMs: 90000,
    async run(ctx) {
      const { A, B } = await ctx.pair();
      await establish(A, B);
      const opts = { timeoutMs: 30000 };
      // A: PreKey messages of every size; B: SignalMessages; A again: SignalMessages.
      for (const [S, R, type] of [[A, B, 3], [B, A, 2], [A, B, 2]]) {
        const msgs = [];
        for (const n of SIZES) msgs.push(await send(S, R, ctx.rng.bytes(n), { type, what: `${S} -> ${R}, ${n}-byte plaintext`, opts }));
        for (const [i, m] of msgs.entries()) await recv(m, { what: `${R} decrypting a ${SIZES[i]}-byte plaintext`, opts });
      }
    },
  },
];
