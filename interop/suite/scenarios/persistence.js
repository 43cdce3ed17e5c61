'use strict';
// The persistent store: reopening, and SIGKILL at any moment.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { PrivateKey } = require('@signalapp/libsignal-client');
const { send, recv, recvFail } = require('../lib/conv');
const { fail, eqBuf, expectError, sleep, PartyError } = require('../lib/util');

const b64 = (b) => Buffer.from(b).toString('base64');

module.exports = [
  {
    name: 'persistent store and SIGKILL',
    both: false,
    timeoutMs: 120000,
    async run(ctx) {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-interop-'));
      const storeDir = path.join(tmp, 'store'); // does not exist yet: init creates it
      try {
        const D = await ctx.driver({ address: 'dana', registrationId: 4242, store: storeDir });
        const L = ctx.lib({ address: 'leo' });
        const identity = D.identityKey;
        let restarts = 0;
        const restart = async (how) => {
          await ctx.restart(D, { kill: how !== 'close' });
          const r = await D.init();
          restarts++;
          eqBuf(D.identityKey, identity, `identity_key after restart #${restarts} (${how})`);
          return r;
        };
        await ctx.check('store directory is created', async () => {
          if (!fs.existsSync(storeDir) || !fs.statSync(storeDir).isDirectory()) fail(`${storeDir} was not created`);
        });
        const bundle = await D.generateBundle({ signedPrekeyId: 7, prekeyId: 31 });
        const stranger = Buffer.from(PrivateKey.generate().getPublicKey().serialize());
        await D.trust('sam', stranger);
        await ctx.check('reopen after a clean exit: same identity, prekeys and trusted identities', async () => {
          await restart('close');
          await L.processBundle(D.address, D.deviceId, bundle);
          await recv(await send(L, D, ctx.rng.bytes(10), { type: 3, preKeyId: 31, signedPreKeyId: 7 }));
          await recv(await send(D, L, ctx.rng.bytes(10), { type: 2 }));
          const sam = ctx.lib({ address: 'sam' });
          await expectError(D.processBundle('sam', 1, await sam.generateBundle({ signedPrekeyId: 1, prekeyId: 1 })), 'untrusted_identity', 'process_bundle against a persisted trusted identity');
        });
        await ctx.check('reopen with another registration id, address or device -> bad_request', async () => {
          await D.proc.close();
          for (const [what, o] of [['registration id', { registrationId: 4243 }], ['address', { address: 'dora' }], ['device id', { deviceId: 2 }]]) {
            const X = await ctx.driver({ address: 'dana', registrationId: 4242, store: storeDir, init: false, ...o });
            await expectError(X.init(), 'bad_request', `init on the store with a different ${what}`);
            await X.proc.close();
          }
          await restart('close');
          await recv(await send(L, D, ctx.rng.bytes(10), { type: 2 }));
        });

        // ---- random conversation with kills ----
        const held = []; // L -> D messages delivered later
        let duplicatesOnRedelivery = 0;
        let kills = 0;
        const deliverAfterKill = async (m) => {
          // redelivery after the driver was killed with this decrypt unanswered:
          // it decrypts now, or it had been committed just before the kill.
          try {
            await recv(m, { what: 'redelivered message after SIGKILL' });
          } catch (e) {
            if (e instanceof PartyError && e.code === 'duplicate_message') duplicatesOnRedelivery++;
            else throw e;
          }
        };
        const plan = ['l2d-kill-before-answer', 'd2l-kill-after-answer', 'd2l-kill-before-answer', 'kill-idle', 'l2d-hold',
          'l2d-kill-before-answer-delayed', 'generate-bundle-killed'];
        const kinds = ['l2d', 'd2l', 'l2d', 'd2l', 'l2d-hold', 'l2d-kill-before-answer', 'l2d-kill-before-answer-delayed',
          'd2l-kill-after-answer', 'd2l-kill-before-answer', 'kill-idle', 'deliver-held'];
        for (let i = 0; i < 40; i++) plan.push(ctx.rng.pick(kinds));
        plan.push('deliver-held');
        ctx.log(`plan: ${plan.join(' ')}`);
        await ctx.check(`${plan.length} steps with SIGKILLs: every message decrypts exactly once`, async () => {
          let heldSince = -1;
          for (const [step, kind0] of plan.entries()) {
            // Held messages are delivered within 4 steps: each step can start a
            // new sending chain of L, and the driver keeps 5 receiver chains.
            const kind = held.length && step - heldSince >= 4 ? 'deliver-held' : kind0;
            if (kind === 'l2d-hold' && !held.length) heldSince = step;
            const where = `step ${step} (${kind})`;
            try {
              await runStep(kind, where);
            } catch (e) {
              e.message = `${where}: ${e.message}`;
              throw e;
            }
          }
          ctx.log(`${kills} SIGKILLs, ${restarts} restarts, ${duplicatesOnRedelivery} redeliveries were already committed`);
        });
        async function runStep(kind, where) {
          {
            switch (kind) {
              case 'l2d':
                await recv(await send(L, D, ctx.rng.bytes(1 + ctx.rng.int(60))), { what: where });
                break;
              case 'l2d-hold':
                held.push(await send(L, D, ctx.rng.bytes(1 + ctx.rng.int(60))));
                break;
              case 'deliver-held':
                for (const m of ctx.rng.shuffle(held.splice(0))) await recv(m, { what: `${where}: held message` });
                break;
              case 'l2d-kill-before-answer':
              case 'l2d-kill-before-answer-delayed': {
                const m = await send(L, D, ctx.rng.bytes(1 + ctx.rng.int(60)));
                D.proc.sendNoWait({ op: 'decrypt', address: L.address, device_id: L.deviceId, type: m.type, body: b64(m.body) });
                if (kind.endsWith('delayed')) await sleep(ctx.rng.int(15));
                kills++;
                await restart('kill');
                await deliverAfterKill(m);
                break;
              }
              case 'd2l': {
                await recv(await send(D, L, ctx.rng.bytes(1 + ctx.rng.int(60))), { what: where });
                break;
              }
              case 'd2l-kill-after-answer': {
                // the answer was given: the new chain state must already be durable,
                // so the next message after the restart uses a fresh key.
                const m = await send(D, L, ctx.rng.bytes(1 + ctx.rng.int(60)));
                kills++;
                await restart('kill');
                await recv(m, { what: `${where}: message answered just before the kill` });
                await recv(await send(D, L, ctx.rng.bytes(1 + ctx.rng.int(60))), { what: `${where}: first message after the restart` });
                break;
              }
              case 'd2l-kill-before-answer': {
                D.proc.sendNoWait({ op: 'encrypt', address: L.address, device_id: L.deviceId, plaintext: b64(ctx.rng.bytes(5)) });
                kills++;
                await restart('kill');
                await recv(await send(D, L, ctx.rng.bytes(1 + ctx.rng.int(60))), { what: `${where}: first message after the restart` });
                break;
              }
              case 'kill-idle':
                kills++;
                await restart('kill');
                break;
              case 'generate-bundle-killed': {
                D.proc.sendNoWait({ op: 'generate_bundle', signed_prekey_id: 50, prekey_id: 51 });
                kills++;
                await restart('kill');
                // the store still works: a fresh bundle, a new session from a new peer
                const nb = await D.generateBundle({ signedPrekeyId: 52, prekeyId: 53 });
                const P2 = ctx.lib({ address: 'pia' });
                await P2.processBundle(D.address, D.deviceId, nb);
                await recv(await send(P2, D, ctx.rng.bytes(8), { type: 3, preKeyId: 53, signedPreKeyId: 52 }), { what: where });
                await recv(await send(D, P2, ctx.rng.bytes(8), { type: 2 }), { what: where });
                break;
              }
              default:
                throw new Error(`unknown step ${kind}`);
            }
          }
        }
        await ctx.check('conversation continues after the last restart, both directions', async () => {
          await restart('kill');
          for (let i = 0; i < 3; i++) {
            await recv(await send(L, D, ctx.rng.bytes(20)));
            await recv(await send(D, L, ctx.rng.bytes(20)));
          }
        });
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    },
  },
];
