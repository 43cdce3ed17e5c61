'use strict';
// Session management: simultaneous initiation, re-initiation with a new bundle.
const { send, recv } = require('../lib/conv');
const { handshake } = require('../lib/conv');

module.exports = [
  {
    name: 'simultaneous initiation',
    both: true,
    async run(ctx) {
      const { A, B } = await ctx.pair();
      // In [driver->lib] the driver sends the first reply, in [lib->driver] libsignal does.
      const bA = await A.generateBundle({ signedPrekeyId: 7, prekeyId: 31 });
      const bB = await B.generateBundle({ signedPrekeyId: 7, prekeyId: 31 });
      await A.processBundle(B.address, B.deviceId, bB);
      await B.processBundle(A.address, A.deviceId, bA);
      const a1 = await send(A, B, ctx.rng.bytes(11), { type: 3, counter: 0 });
      const b1 = await send(B, A, ctx.rng.bytes(12), { type: 3, counter: 0 });
      const a2 = await send(A, B, ctx.rng.bytes(13), { type: 3, counter: 1 });
      const b2 = await send(B, A, ctx.rng.bytes(14), { type: 3, counter: 1 });
      await recv(b1, { what: `${A} decrypting ${B}'s first PreKey message` });
      await recv(a1, { what: `${B} decrypting ${A}'s first PreKey message` });
      // Each side's current state is now the responder state: replies are SignalMessages.
      const x = await send(A, B, ctx.rng.bytes(15), { type: 2, what: 'first reply after simultaneous initiation' });
      await recv(x);
      const y = await send(B, A, ctx.rng.bytes(16), { type: 2, what: 'answer to the first reply' });
      await recv(y);
      // the second PreKey messages of both sessions arrive late: nothing is lost
      await recv(a2, { what: `${B} decrypting ${A}'s late second PreKey message` });
      await recv(b2, { what: `${A} decrypting ${B}'s late second PreKey message` });
      for (let i = 0; i < 4; i++) {
        await recv(await send(A, B, ctx.rng.bytes(10), { type: 2 }));
        await recv(await send(B, A, ctx.rng.bytes(10), { type: 2 }));
      }
      // a burst each way, delivered interleaved
      const as = [];
      const bs = [];
      for (let i = 0; i < 5; i++) {
        as.push(await send(A, B, ctx.rng.bytes(10), { type: 2 }));
        bs.push(await send(B, A, ctx.rng.bytes(10), { type: 2 }));
      }
      for (let i = 0; i < 5; i++) {
        await recv(bs[i]);
        await recv(as[i]);
      }
    },
  },
  ...['initiator', 'responder'].map((who) => ({
    name: `re-initiation by the ${who}`,
    both: true,
    async run(ctx) {
      const { A, B } = await ctx.pair();
      await handshake(A, B, ctx.rng);
      for (let i = 0; i < 3; i++) {
        await recv(await send(A, B, ctx.rng.bytes(20), { type: 2 }));
        await recv(await send(B, A, ctx.rng.bytes(20), { type: 2 }));
      }
      // in flight on the old session
      const aOld = [await send(A, B, ctx.rng.bytes(21), { type: 2 }), await send(A, B, ctx.rng.bytes(22), { type: 2 })];
      const bOld = [await send(B, A, ctx.rng.bytes(23), { type: 2 })];
      const [X, Y] = who === 'initiator' ? [A, B] : [B, A];
      // X processes a new bundle of Y and sends on the new session
      const nb = await Y.generateBundle({ signedPrekeyId: 8, prekeyId: 32 });
      await X.processBundle(Y.address, Y.deviceId, nb);
      const xNew1 = await send(X, Y, ctx.rng.bytes(30), { type: 3, counter: 0, preKeyId: 32, signedPreKeyId: 8 });
      const xNew2 = await send(X, Y, ctx.rng.bytes(31), { type: 3, counter: 1, preKeyId: 32, signedPreKeyId: 8 });
      await recv(xNew1, { what: `${Y} decrypting the first message of the new session` });
      const yNew1 = await send(Y, X, ctx.rng.bytes(32), { type: 2, what: 'reply on the new session' });
      await recv(yNew1, { what: `${X} decrypting the reply on the new session` });
      // old in-flight messages still decrypt (from the archived state)
      for (const m of aOld) await recv(m, { what: `${B} decrypting an old-session message delivered after re-initiation` });
      for (const m of bOld) await recv(m, { what: `${A} decrypting an old-session message delivered after re-initiation` });
      await recv(xNew2, { what: `${Y} decrypting the late second message of the new session` });
      // the conversation goes on, whichever state each side now uses
      for (let i = 0; i < 4; i++) {
        await recv(await send(X, Y, ctx.rng.bytes(10), { type: 2 }));
        await recv(await send(Y, X, ctx.rng.bytes(10), { type: 2 }));
      }
    },
  })),
];
