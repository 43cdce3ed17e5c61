#!/usr/bin/env node
'use strict';
// Hush interop suite: the driver under test (hush-interop, line protocol of
// shared/interop/driver-protocol.md) on one end, real libsignal
// (@signalapp/libsignal-client 0.65.4, in-process) on the other.
//
//   node interop/suite/run.js [--driver CMD] [--only SUBSTR]... [--skip SUBSTR]...
//                             [--seed N] [--list] [--verbose]
//
// Output: one line per test ("ok   name" / "FAIL name: reason"), then
// "N passed, M failed". Exit code 0 iff M == 0.

const path = require('path');
const fs = require('fs');
const { DriverProcess, DriverParty, splitCommand } = require('./lib/driver');
const { LibParty } = require('./lib/peer');
const { Rng, DriverFault } = require('./lib/util');

const REPO = path.resolve(__dirname, '..', '..');
const SCENARIO_FILES = ['basic', 'ordering', 'tamper', 'limits', 'sessions', 'identity', 'sizes', 'persistence', 'fingerprint', 'requests', 'groups'];

function parseArgs(argv) {
  const o = { driver: null, only: [], skip: [], seed: null, list: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--driver') o.driver = val();
    else if (a.startsWith('--driver=')) o.driver = a.slice(9);
    else if (a === '--only') o.only.push(val());
    else if (a === '--skip') o.skip.push(val());
    else if (a === '--seed') o.seed = val();
    else if (a === '--list') o.list = true;
    else if (a === '--verbose' || a === '-v') o.verbose = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node interop/suite/run.js [--driver CMD] [--only SUBSTR]... [--skip SUBSTR]... [--seed N] [--list] [--verbose]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

function oneLine(s) { return String(s).replace(/\s*\n\s*/g, ' | '); }

class Runner {
  constructor(opts) {
    this.opts = opts;
    this.passed = 0;
    this.failed = 0;
    this.driverArgv = this._driverArgv(opts.driver);
  }

  _driverArgv(cmd) {
    if (!cmd) return [path.join(REPO, 'build', 'bin', 'hush-interop')];
    const argv = splitCommand(cmd);
    // Arguments naming existing files relative to the current directory are
    // made absolute (drivers run with the repository root as their cwd).
    return argv.map((a, i) => {
      if (a.startsWith('-')) return a;
      if (i === 0 && !a.includes('/')) return a; // a command on PATH, e.g. "node"
      const abs = path.resolve(a);
      return fs.existsSync(abs) ? abs : a;
    });
  }

  report(name, err) {
    if (!err) {
      this.passed++;
      process.stdout.write(`ok   ${name}\n`);
    } else {
      this.failed++;
      let reason = String(err);
      if (err instanceof Error) {
        // assertion failures, driver faults and party errors explain themselves;
        // anything else (a bug in the suite?) gets its class name
        const plain = err.constructor.name === 'CheckFailed' || err instanceof DriverFault || err.code || err.plain;
        reason = plain ? err.message : `${err.name}: ${err.message}`;
      }
      process.stdout.write(`FAIL ${name}: ${oneLine(reason)}\n`);
      if (this.opts.verbose && err && err.stack) process.stderr.write(`${err.stack}\n`);
    }
  }

  selected(name) {
    if (this.opts.only.length && !this.opts.only.some((s) => name.includes(s))) return false;
    if (this.opts.skip.some((s) => name.includes(s))) return false;
    return true;
  }

  async runOne(name, scenario, dir, seed) {
    const drivers = [];
    const rng = new Rng(`${seed}:${name}`);
    let subtests = 0;
    let aborted = false;
    let finished = false; // set when the scenario is over (also after a timeout)
    const runner = this;
    const ctx = {
      dir,
      rng,
      seed,
      verbose: this.opts.verbose,
      driverArgv: this.driverArgv,
      log: (...a) => { if (runner.opts.verbose) process.stderr.write(`  [${name}] ${a.join(' ')}\n`); },
      // Spawn a driver process (optionally init it) and return its DriverParty.
      async driver({ address = 'hush', deviceId = 1, registrationId, store, init = true, timeoutMs } = {}) {
        if (finished) throw new Error('scenario already finished (timed out)');
        const proc = new DriverProcess(runner.driverArgv, { defaultTimeoutMs: timeoutMs || 15000, cwd: REPO }).start();
        drivers.push(proc);
        const party = new DriverParty(proc, { address, deviceId, registrationId, store });
        if (init) await party.init();
        return party;
      },
      // Restart: a new process for the same party (same address/ids/store).
      async restart(party, { kill = true } = {}) {
        if (kill) await party.proc.kill('SIGKILL');
        else await party.proc.close();
        const proc = new DriverProcess(runner.driverArgv, { defaultTimeoutMs: party.proc.defaultTimeoutMs, cwd: REPO }).start();
        drivers.push(proc);
        party.proc = proc;
        return party;
      },
      lib(opts = {}) { return new LibParty({ address: 'libsignal', ...opts }); },
      // Initiator A and responder B according to the direction.
      async pair({ aName = 'alice', bName = 'bob' } = {}) {
        if (dir === 'lib->driver') {
          const A = ctx.lib({ address: aName });
          const B = await ctx.driver({ address: bName });
          return { A, B, drv: B, lib: A };
        }
        const A = await ctx.driver({ address: aName });
        const B = ctx.lib({ address: bName });
        return { A, B, drv: A, lib: B };
      },
      // A named sub-test: reported on its own line. Driver faults abort the scenario.
      async check(sub, fn) {
        if (finished) throw new Error('scenario already finished (timed out)');
        subtests++;
        const full = `${name} / ${sub}`;
        const t0 = Date.now();
        try {
          await fn();
          if (finished) return false;
          if (runner.opts.verbose) process.stderr.write(`  (${full}: ${Date.now() - t0} ms)\n`);
          runner.report(full, null);
          return true;
        } catch (e) {
          if (finished) throw e;
          runner.report(full, e);
          if (e instanceof DriverFault) {
            aborted = true;
            throw e;
          }
          return false;
        }
      },
    };
    const timeoutMs = scenario.timeoutMs || 60000;
    let timer;
    let err = null;
    try {
      await Promise.race([
        scenario.run(ctx),
        new Promise((_, rej) => { timer = setTimeout(() => rej(Object.assign(new Error(`scenario timed out after ${timeoutMs} ms`), { plain: true })), timeoutMs); }),
      ]);
    } catch (e) {
      err = e;
    } finally {
      clearTimeout(timer);
      finished = true;
    }
    // Shut drivers down: end of stdin must make a live driver exit 0.
    for (const d of drivers) {
      if (d.exited) continue;
      if (err) {
        await d.kill();
        continue;
      }
      const r = await d.close(5000);
      if (!err && !(r.code === 0 && r.signal === null)) {
        err = Object.assign(new Error(`driver did not exit 0 at end of stdin (code ${r.code}, signal ${r.signal})${d.stderr ? `; stderr: ${d.stderr.trim().slice(-300)}` : ''}`), { plain: true });
      }
    }
    if (err && aborted && subtests > 0) {
      // already reported by the failing sub-test
      this.report(name, Object.assign(new Error('aborted after a driver fault (see above)'), { plain: true }));
    } else {
      this.report(name, err);
    }
  }

  async main() {
    const seed = this.opts.seed !== null ? this.opts.seed : String(Date.now() % 1000000);
    process.stderr.write(`hush interop suite: driver = ${this.driverArgv.join(' ')}; seed = ${seed}\n`);
    if (this.driverArgv.length === 1 && path.isAbsolute(this.driverArgv[0]) && !fs.existsSync(this.driverArgv[0])) {
      process.stderr.write(`warning: ${this.driverArgv[0]} does not exist (build it, or pass --driver)\n`);
    }
    const t0 = Date.now();
    for (const f of SCENARIO_FILES) {
      const list = require(`./scenarios/${f}`);
      for (const sc of list) {
        const dirs = sc.both ? ['driver->lib', 'lib->driver'] : [null];
        for (const dir of dirs) {
          const name = dir ? `${sc.name} [${dir}]` : sc.name;
          if (!this.selected(name)) continue;
          if (this.opts.list) {
            process.stdout.write(`${name}\n`);
            continue;
          }
          const s0 = Date.now();
          await this.runOne(name, sc, dir, seed);
          if (this.opts.verbose) process.stderr.write(`  (${name}: ${Date.now() - s0} ms)\n`);
        }
      }
    }
    if (this.opts.list) return 0;
    process.stderr.write(`total time ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    process.stdout.write(`${this.passed} passed, ${this.failed} failed\n`);
    return this.failed === 0 ? 0 : 1;
  }
}

// A scenario abandoned after its timeout may still reject in the background.
process.on('unhandledRejection', (e) => {
  if (opts && opts.verbose) process.stderr.write(`(background rejection: ${e && e.message})\n`);
});

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(2);
}
new Runner(opts).main().then((code) => {
  process.exitCode = code;
}, (e) => {
  process.stderr.write(`suite crashed: ${e && e.stack}\n`);
  process.stdout.write('0 passed, 1 failed\n');
  process.exitCode = 1;
});
