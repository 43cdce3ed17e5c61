'use strict';
// Session set-up, message types, ping-pong and bursts.
const { send, recv, establish, ratchetKeyOf } = require('../lib/conv');
const { fail, eq } = require('../lib/util');

function sessionScenario(withOpk) {
  return {
    name: `session ${withOpk ? 'with' : 'without'} one-time prekey`,
    both: true,
    async run(ctx) {
      const { A, B } = await ctx.pair();
      const bundle = await B.generateBundle({ signedPrekeyId: 7, prekeyId: withOpk ? 31 : undefined });
      eq(bundle.signed_prekey_id, 7, 'bundle.signed_prekey_id');
      eq(bundle.registration_id, B.registrationId, 'bundle.registration_id');
      eq(bundle.device_id, B.deviceId, 'bundle.device_id');
      eq(bundle.identity_key, B.identityKey.toString('base64'), 'bundle.identity_key');
      if (withOpk) eq(bundle.prekey_id, 31, 'bundle.prekey_id');
      else if ('prekey_id' in bundle || 'prekey' in bundle) fail('bundle without prekey_id has prekey fields');
      await A.processBundle(B.address, B.deviceId, bundle);
      const pk = withOpk ? 31 : null;
      // Until A has decrypted something from B, every message is a PreKey message
      // carrying the same prekey ids, with the inner counter advancing.
      const m1 = await send(A, B, ctx.rng.bytes(33), { type: 3, counter: 0, prev: 0, preKeyId: pk, signedPreKeyId: 7 });
      const m2 = await send(A, B, ctx.rng.bytes(7), { type: 3, counter: 1, prev: 0, preKeyId: pk, signedPreKeyId: 7 });
      await recv(m1);
      await recv(m2);
      // The responder never sends PreKey messages.
      const r1 = await send(B, A, ctx.rng.bytes(12), { type: 2, counter: 0, prev: 0 });
      const m3 = await send(A, B, ctx.rng.bytes(5), { type: 3, counter: 2, prev: 0, preKeyId: pk, signedPreKeyId: 7 });
      await recv(r1);
      await recv(m3);
      // Now acknowledged: A sends SignalMessages on a new chain (previous_counter = 2, libsignal's quirk).
      const m4 = await send(A, B, ctx.rng.bytes(40), { type: 2, counter: 0, prev: 2 });
      await recv(m4);
      const r2 = await send(B, A, ctx.rng.bytes(1), { type: 2, counter: 0, prev: 0 });
      await recv(r2);
    },
  };
}

module.exports = [
  sessionScenario(true),
  sessionScenario(false),
  {
    name: 'ping-pong 200 round trips',
    both: true,
    async run(ctx) {
      const { A, B } = await ctx.pair();
      await establish(A, B);
      const seen = { A: new Set(), B: new Set() };
      for (let i = 0; i < 200; i++) {
        const m = await send(A, B, ctx.rng.bytes(1 + ctx.rng.int(64)), { type: i === 0 ? 3 : 2, counter: 0, prev: 0, what: `round ${i} A->B` });
        await recv(m, { what: `round ${i}: B decrypting` });
        const r = await send(B, A, ctx.rng.bytes(ctx.rng.int(64)), { type: 2, counter: 0, prev: 0, what: `round ${i} B->A` });
        await recv(r, { what: `round ${i}: A decrypting` });
        // a DH ratchet step every turn: a fresh ratchet key in every message
        const rkA = ratchetKeyOf(m);
        const rkB = ratchetKeyOf(r);
        if (seen.A.has(rkA)) fail(`round ${i}: A reused a ratchet key`);
        if (seen.B.has(rkB)) fail(`round ${i}: B reused a ratchet key`);
        seen.A.add(rkA);
        seen.B.add(rkB);
      }
    },
  },
  {
    name: 'bursts 4 x 50 messages',
    both: true,
    async run(ctx) {
      const { A, B } = await ctx.pair();
      await establish(A, B);
      // A 50 (PreKey messages), B 50, A 50, B 50; previous_counter is the index
      // of the last message of the sender's previous chain (libsignal's quirk).
      const bursts = [
        { from: A, to: B, type: 3, prev: 0 },
        { from: B, to: A, type: 2, prev: 0 },
        { from: A, to: B, type: 2, prev: 49 },
        { from: B, to: A, type: 2, prev: 49 },
      ];
      for (const [bi, b] of bursts.entries()) {
        const msgs = [];
        for (let i = 0; i < 50; i++) msgs.push(await send(b.from, b.to, ctx.rng.bytes(ctx.rng.int(100)), { type: b.type, counter: i, prev: b.prev, what: `burst ${bi} message ${i}` }));
        for (const [i, m] of msgs.entries()) await recv(m, { what: `burst ${bi} message ${i}` });
      }
    },
  },
];
