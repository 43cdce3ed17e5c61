'use strict';
// Protocol-level requests: bad_request for malformed requests (the driver keeps
// running), no_session, clean exit at end of stdin.
const { PrivateKey } = require('@signalapp/libsignal-client');
const { fail, expectError } = require('../lib/util');
const { send, establish } = require('../lib/conv');

const KEY = Buffer.from(PrivateKey.generate().getPublicKey().serialize()).toString('base64');

async function expectCode(D, line, code, what) {
  const r = await D.proc.requestLine(typeof line === 'string' ? line : JSON.stringify(line));
  if (r.ok !== false) fail(`${what}: answered ok: ${JSON.stringify(r).slice(0, 160)}`);
  if (r.error !== code) fail(`${what}: error ${JSON.stringify(r.error)} (${r.message}), expected ${code}`);
  if (typeof r.message !== 'string') fail(`${what}: failure without a "message" string`);
}

async function alive(D, what) {
  const r = await D.proc.request({ op: 'fingerprint', version: 2, iterations: 2, local_id: '', remote_id: '', remote_identity_key: KEY });
  if (!r.ok) fail(`${what}: a valid request afterwards failed: ${JSON.stringify(r).slice(0, 160)}`);
}

module.exports = [
  {
    name: 'bad requests',
    both: false,
    async run(ctx) {
      const D = await ctx.driver({ address: 'rita', init: false });
      const init = { op: 'init', address: 'rita', device_id: 1, registration_id: 77 };
      await ctx.check('before init: any op -> bad_request', async () => {
        for (const line of [
          'this is not json',
          { op: 'generate_bundle', signed_prekey_id: 1 },
          { op: 'encrypt', address: 'x', device_id: 1, plaintext: '' },
          { op: 'fingerprint', version: 2, iterations: 2, local_id: '', remote_id: '', remote_identity_key: KEY },
          { op: 'trust', address: 'x', identity_key: KEY },
        ]) await expectCode(D, line, 'bad_request', `before init: ${JSON.stringify(line).slice(0, 60)}`);
      });
      await ctx.check('bad init requests -> bad_request, then a valid init works', async () => {
        const bad = [
          [{ op: 'init', device_id: 1, registration_id: 77 }, 'missing address'],
          [{ op: 'init', address: 'rita', registration_id: 77 }, 'missing device_id'],
          [{ op: 'init', address: 'rita', device_id: 1 }, 'missing registration_id'],
          [{ ...init, address: 5 }, 'address not a string'],
          [{ ...init, device_id: '1' }, 'device_id a string'],
          [{ ...init, device_id: 1.5 }, 'device_id not an integer'],
          [{ ...init, registration_id: -1 }, 'negative registration_id'],
          [{ ...init, registration_id: 'x' }, 'registration_id a string'],
          [{ ...init, store: 7 }, 'store not a string'],
        ];
        for (const [req, what] of bad) await expectCode(D, req, 'bad_request', `init, ${what}`);
        const r = await D.proc.request(init);
        if (!r.ok) fail(`valid init after failed ones: ${JSON.stringify(r)}`);
        D.identityKey = Buffer.from(r.identity_key, 'base64');
        if (r.registration_id !== 77) fail(`init answered registration_id ${r.registration_id}`);
        if (Buffer.from(r.identity_key, 'base64').length !== 33) fail('init: identity_key is not 33 bytes');
      });
      await ctx.check('second init -> bad_request', async () => {
        await expectCode(D, init, 'bad_request', 'second init (same values)');
        await expectCode(D, { ...init, address: 'other' }, 'bad_request', 'second init (other address)');
        await alive(D, 'second init');
      });
      await ctx.check('not JSON / not an object / unknown op -> bad_request', async () => {
        for (const line of ['garbage', '{', '{"op":"init"', '[]', '42', '"init"', 'null', 'true', '{}', '{"op":5}', '{"op":null}',
          '{"op":"frobnicate"}', '{"op":"ENCRYPT","address":"x","device_id":1,"plaintext":""}', '{"op":"__proto__"}', '{"op":"constructor"}', '{"op":"toString"}']) {
          await expectCode(D, line, 'bad_request', `line ${line}`);
        }
        await alive(D, 'after garbage lines');
      });
      // a peer with a session, so that field checks on encrypt/decrypt are not masked by no_session
      const L = ctx.lib({ address: 'lars' });
      const bundle = await establish(L, D);
      const m = await send(L, D, Buffer.from('hello'), { type: 3 });
      const body = m.body.toString('base64');
      const addr = { address: 'lars', device_id: 1 };
      const spk = bundle.signed_prekey;
      const goodBundle = { ...bundle };
      const groups = {
        generate_bundle: [
          [{ op: 'generate_bundle' }, 'missing signed_prekey_id'],
          [{ op: 'generate_bundle', signed_prekey_id: '7' }, 'signed_prekey_id a string'],
          [{ op: 'generate_bundle', signed_prekey_id: -7 }, 'negative signed_prekey_id'],
          [{ op: 'generate_bundle', signed_prekey_id: 7, prekey_id: 'x' }, 'prekey_id a string'],
        ],
        process_bundle: [
          [{ op: 'process_bundle', ...addr }, 'missing bundle'],
          [{ op: 'process_bundle', device_id: 1, bundle: goodBundle }, 'missing address'],
          [{ op: 'process_bundle', address: 'lars', bundle: goodBundle }, 'missing device_id'],
          [{ op: 'process_bundle', ...addr, bundle: 'x' }, 'bundle a string'],
          [{ op: 'process_bundle', ...addr, bundle: [] }, 'bundle an array'],
          ...['registration_id', 'device_id', 'identity_key', 'signed_prekey_id', 'signed_prekey', 'signed_prekey_signature'].map((k) => {
            const b = { ...goodBundle };
            delete b[k];
            return [{ op: 'process_bundle', ...addr, bundle: b }, `bundle without ${k}`];
          }),
          [{ op: 'process_bundle', ...addr, bundle: { ...goodBundle, signed_prekey: '@@@@' } }, 'bundle.signed_prekey not base64'],
          [{ op: 'process_bundle', ...addr, bundle: { ...goodBundle, identity_key: `${spk}A` } }, 'bundle.identity_key with data after the padding'],
          [{ op: 'process_bundle', ...addr, bundle: { ...goodBundle, signed_prekey_id: '7' } }, 'bundle.signed_prekey_id a string'],
        ],
        encrypt: [
          [{ op: 'encrypt', ...addr }, 'missing plaintext'],
          [{ op: 'encrypt', device_id: 1, plaintext: '' }, 'missing address'],
          [{ op: 'encrypt', address: 'lars', plaintext: '' }, 'missing device_id'],
          [{ op: 'encrypt', ...addr, plaintext: 'abcde' }, 'plaintext with an impossible base64 length (4k+1)'],
          [{ op: 'encrypt', ...addr, plaintext: '!!!!' }, 'plaintext with non-base64 characters'],
          [{ op: 'encrypt', ...addr, plaintext: 'ab=c' }, 'plaintext with misplaced padding'],
          [{ op: 'encrypt', ...addr, plaintext: 12 }, 'plaintext a number'],
          [{ op: 'encrypt', address: 'lars', device_id: '1', plaintext: '' }, 'device_id a string'],
        ],
        decrypt: [
          [{ op: 'decrypt', ...addr, body }, 'missing type'],
          [{ op: 'decrypt', ...addr, type: 3 }, 'missing body'],
          [{ op: 'decrypt', device_id: 1, type: 3, body }, 'missing address'],
          [{ op: 'decrypt', ...addr, type: 1, body }, 'type 1'],
          [{ op: 'decrypt', ...addr, type: 4, body }, 'type 4'],
          [{ op: 'decrypt', ...addr, type: 7, body }, 'type 7'],
          [{ op: 'decrypt', ...addr, type: '3', body }, 'type a string'],
          [{ op: 'decrypt', ...addr, type: 3, body: `${body.slice(0, 8)}$${body.slice(9)}` }, 'body not base64'],
          [{ op: 'decrypt', ...addr, type: 3, body: null }, 'body null'],
        ],
        trust: [
          [{ op: 'trust', address: 'x' }, 'missing identity_key'],
          [{ op: 'trust', identity_key: KEY }, 'missing address'],
          [{ op: 'trust', address: 'x', identity_key: `*${KEY.slice(1)}` }, 'identity_key not base64'],
        ],
        fingerprint: [
          ...['version', 'iterations', 'local_id', 'remote_id', 'remote_identity_key'].map((k) => {
            const f = { op: 'fingerprint', version: 2, iterations: 5200, local_id: '', remote_id: '', remote_identity_key: KEY };
            delete f[k];
            return [f, `missing ${k}`];
          }),
          [{ op: 'fingerprint', version: 2, iterations: 1, local_id: '', remote_id: '', remote_identity_key: KEY }, 'iterations 1'],
          [{ op: 'fingerprint', version: 2, iterations: 0, local_id: '', remote_id: '', remote_identity_key: KEY }, 'iterations 0'],
          [{ op: 'fingerprint', version: 2, iterations: 1000001, local_id: '', remote_id: '', remote_identity_key: KEY }, 'iterations 1,000,001'],
          [{ op: 'fingerprint', version: 2, iterations: '5200', local_id: '', remote_id: '', remote_identity_key: KEY }, 'iterations a string'],
          [{ op: 'fingerprint', version: 2, iterations: 5200, local_id: 'a', remote_id: '', remote_identity_key: KEY }, 'local_id not base64'],
          [{ op: 'fingerprint', version: 2, iterations: 5200, local_id: '', remote_id: '%%%%', remote_identity_key: KEY }, 'remote_id not base64'],
        ],
      };
      for (const [op, cases] of Object.entries(groups)) {
        await ctx.check(`${op}: missing, mistyped or non-base64 fields -> bad_request`, async () => {
          for (const [req, what] of cases) await expectCode(D, req, 'bad_request', `${op}, ${what}`);
          await alive(D, op);
        });
      }
      await ctx.check('failed requests changed nothing: the PreKey message still decrypts', async () => {
        const r = await D.proc.request({ op: 'decrypt', ...addr, type: 3, body });
        if (!r.ok || Buffer.from(r.plaintext, 'base64').toString() !== 'hello') fail(`decrypt: ${JSON.stringify(r).slice(0, 200)}`);
      });
      await ctx.check('no_session: encrypt to, and SignalMessage from, an address without a session', async () => {
        await expectError(D.encrypt('nobody', 1, Buffer.from('x')), 'no_session', 'encrypt to an unknown address');
        await expectError(D.encrypt('lars', 2, Buffer.from('x')), 'no_session', 'encrypt to another device of a known address');
        // a well-formed SignalMessage from a peer the driver has no session with
        const X = ctx.lib({ address: 'xena' });
        const Y = ctx.lib({ address: 'rita' });
        await establish(X, Y);
        await Y.decrypt('xena', 1, 3, (await X.encrypt('rita', 1, Buffer.from('a'))).body);
        const w = await Y.encrypt('xena', 1, Buffer.from('b'));
        await expectError(D.decrypt('xena', 1, 2, w.body), 'no_session', 'SignalMessage from an address without a session');
        await alive(D, 'no_session');
      });
    },
  },
];
