// The simulator's state file as a user meets it (issue 10 items 2-5), through Hcn.open, hcn.simulator
// and the real `hcn` bin: NUL bytes, symlinks, modes, non-regular files, a lock held by another
// process (deadline, event loop), corrupt files and stray temporary files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { Hcn } from '../../ts/client';
import { HcnTimeoutError } from '../../ts/errors';
import { cliError, fileLbIds, hcnCli, holdLock, spec, tempDir, ticksWhile } from './helpers';

const posix = process.platform !== 'win32';
const posixOnly = posix ? test : test.skip; // symlinks, modes, FIFOs and flock(1) are POSIX things

async function open(t: Parameters<typeof tempDir>[0], statePath: string, timeoutMs?: number): Promise<Hcn> {
  const hcn = await Hcn.open(timeoutMs === undefined ? { backend: 'simulated', statePath } : { backend: 'simulated', statePath, timeoutMs });
  t.teardown(() => hcn.close());
  return hcn;
}

// ---------------------------------------------------------------- item 2: paths

test('a state path with a NUL byte is a TypeError before anything is opened', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  await t.throwsAsync(Hcn.open({ backend: 'simulated', statePath: `${file}\0.lock` }), { instanceOf: TypeError, message: /NUL/ });
  const hcn = await open(t, path.join(dir, 'other.json'));
  await t.throwsAsync(hcn.simulator!.configure(`${file}\0x`), { instanceOf: TypeError, message: /NUL/ });
  t.deepEqual(fs.readdirSync(dir).sort(), ['other.json', 'other.json.journal', 'other.json.lock'], 'nothing was created at the cut path');
  const r = await hcnCli(`${file}\0.lock`.replace('\0', '\\0'), ['lb', 'list']); // a shell cannot pass NUL: see the env case
  t.is(r.code === 0 || r.code > 0, true);
  const viaEnv = await hcnCli(file, ['lb', 'list', '--json'], {});
  t.is(viaEnv.code, 0, viaEnv.stderr);
});

// ---------------------------------------------------------------- item 3: symlinks and permissions

posixOnly('a symlinked <state>.lock is refused, and the file it points to is untouched', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const victim = path.join(dir, 'victim.txt');
  fs.writeFileSync(victim, 'precious contents\n');
  fs.symlinkSync(victim, `${file}.lock`);
  const err = await t.throwsAsync(Hcn.open({ backend: 'simulated', statePath: file }));
  t.regex(String(err?.message), /lock file .* is a symlink/);
  t.is(fs.readFileSync(victim, 'utf8'), 'precious contents\n');
  t.false(fs.existsSync(file), 'no state file was written');
});

posixOnly('a symlinked state file is followed once: the target is replaced, the link stays a link', async (t) => {
  const dir = tempDir(t);
  const target = path.join(dir, 'real.json');
  const link = path.join(dir, 'link.json');
  const seed = await open(t, target);
  await seed.close();
  fs.symlinkSync('real.json', link);
  const hcn = await open(t, link);
  const lb = await hcn.loadBalancers.create(spec());
  t.true(fs.lstatSync(link).isSymbolicLink(), 'the link was not replaced by a regular file');
  t.deepEqual(await fileLbIds(target), [lb.id], 'the target holds the change');
  // A client of the target itself shares the same simulated HNS.
  const direct = await open(t, target);
  t.deepEqual((await direct.loadBalancers.list()).map((x) => x.id), [lb.id]);
  // A link to a link is refused.
  fs.symlinkSync('link.json', path.join(dir, 'link2.json'));
  await t.throwsAsync(Hcn.open({ backend: 'simulated', statePath: path.join(dir, 'link2.json') }), { message: /symlink to another symlink/ });
});

posixOnly('the state file keeps its mode; a read-only one is refused, never replaced; new files are 0600', async (t) => {
  const dir = tempDir(t);
  const fresh = path.join(dir, 'fresh.json');
  const hcn = await open(t, fresh);
  t.is(fs.statSync(fresh).mode & 0o777, 0o600, 'a new state file is the user\'s only');
  t.is(fs.statSync(`${fresh}.lock`).mode & 0o777, 0o600);
  fs.chmodSync(fresh, 0o640);
  await hcn.loadBalancers.create(spec());
  t.is(fs.statSync(fresh).mode & 0o777, 0o640, 'kept across a rewrite');
  fs.chmodSync(fresh, 0o444);
  const before = fs.readFileSync(fresh, 'utf8');
  await t.throwsAsync(hcn.loadBalancers.create(spec(14)), { message: /read-only/ });
  t.is(fs.readFileSync(fresh, 'utf8'), before, 'the read-only file is unchanged');
  t.is(fs.statSync(fresh).mode & 0o777, 0o444);
});

posixOnly('the hcn command creates the state folder 0700', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'new-folder', 'hns.json');
  const r = await hcnCli(file, ['lb', 'list']);
  t.is(r.code, 0, r.stderr);
  t.is(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
  t.is(fs.statSync(file).mode & 0o777, 0o600);
});

posixOnly('a FIFO, a directory or a device in place of the state file is refused with a clear error (no hang)', async (t) => {
  const dir = tempDir(t);
  const fifo = path.join(dir, 'fifo.json');
  const { execFileSync } = await import('node:child_process');
  execFileSync('mkfifo', [fifo]);
  await t.throwsAsync(Hcn.open({ backend: 'simulated', statePath: fifo, timeoutMs: 20_000 }), { message: /is a FIFO, not a regular file/ });
  fs.mkdirSync(path.join(dir, 'folder.json'));
  await t.throwsAsync(Hcn.open({ backend: 'simulated', statePath: path.join(dir, 'folder.json') }), { message: /is a directory, not a regular file/ });
  await t.throwsAsync(Hcn.open({ backend: 'simulated', statePath: '/dev/null' }), { message: /is a device, not a regular file/ });
  const r = await hcnCli(fifo, ['lb', 'list', '--json']);
  t.not(r.code, 0);
  t.regex(cliError(r).message, /FIFO, not a regular file/);
});

// ---------------------------------------------------------------- item 4: lock waits obey the deadline

posixOnly('a lock held by another process: open and calls time out at their deadline, and the event loop keeps running', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const hcn = await open(t, file, 1500);
  const release = await holdLock(t, `${file}.lock`);
  const list = await ticksWhile(() => hcn.loadBalancers.list());
  t.is(list.result.status, 'rejected');
  t.true((list.result as PromiseRejectedResult).reason instanceof HcnTimeoutError, String((list.result as PromiseRejectedResult).reason));
  t.true(list.ticks > 0, `timers fired while the call waited for the lock (${String((list.result as PromiseRejectedResult).reason)})`);
  const status = await ticksWhile(() => hcn.simulator!.status());
  t.is(status.result.status, 'rejected', 'status() waits on the pool, not on the JS thread');
  t.true((status.result as PromiseRejectedResult).reason instanceof HcnTimeoutError);
  t.true(status.ticks > 0);
  // Another client of the same file checks the file under its lock too.
  const second = await ticksWhile(() => Hcn.open({ backend: 'simulated', statePath: path.join(dir, 'hns.json'), timeoutMs: 1500 }));
  t.is(second.result.status, 'rejected');
  t.true((second.result as PromiseRejectedResult).reason instanceof HcnTimeoutError);
  t.true(second.ticks > 0);
  const other = path.join(dir, 'other.json');
  fs.writeFileSync(`${other}.lock`, '');
  const releaseOther = await holdLock(t, `${other}.lock`);
  const opening = await ticksWhile(() => Hcn.open({ backend: 'simulated', statePath: other, timeoutMs: 1500 }));
  t.is(opening.result.status, 'rejected');
  t.true((opening.result as PromiseRejectedResult).reason instanceof HcnTimeoutError, String((opening.result as PromiseRejectedResult).reason));
  t.true(opening.ticks > 0);
  release();
  releaseOther();
  // Once the lock is free the client works again.
  for (let i = 0; i < 100; i++) {
    try {
      await hcn.loadBalancers.list();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  t.deepEqual(await hcn.loadBalancers.list(), []);
});

posixOnly('hcn --timeout 1000 lb list with the lock held elsewhere returns HCN_TIMEOUT', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  t.is((await hcnCli(file, ['lb', 'list'])).code, 0);
  await holdLock(t, `${file}.lock`);
  const r = await hcnCli(file, ['--timeout', '1000', 'lb', 'list', '--json']);
  t.not(r.code, 0);
  t.is(cliError(r).code, 'HCN_TIMEOUT', r.stderr);
});

// ---------------------------------------------------------------- item 5: recovery

test('a corrupt state file: every command names it and how to recover; sim reset --force moves it aside', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  fs.writeFileSync(file, '{"Format":"hcn-sdk-simulator-state", oops');
  const err = await t.throwsAsync(Hcn.open({ backend: 'simulated', statePath: file }));
  t.true(String(err?.message).includes(file), err?.message);
  t.regex(String(err?.message), /hcn sim reset --force/);
  for (const args of [['lb', 'list'], ['sim', 'status'], ['sim', 'reset']]) {
    const r = await hcnCli(file, [...args, '--json']);
    t.not(r.code, 0, args.join(' '));
    const e = cliError(r);
    t.true(e.message.includes(file), `${args.join(' ')}: ${e.message}`);
    t.true(`${e.message} ${e.hint ?? ''}`.includes('hcn sim reset --force'), `${args.join(' ')}: ${e.message}`);
  }
  t.is(fs.readFileSync(file, 'utf8'), '{"Format":"hcn-sdk-simulator-state", oops', 'nothing overwrote the corrupt file');
  const r = await hcnCli(file, ['sim', 'reset', '--force', '--json']);
  t.is(r.code, 0, r.stderr);
  const aside = fs.readdirSync(dir).filter((n) => n.startsWith('hns.json.corrupt-'));
  t.is(aside.length, 1, fs.readdirSync(dir).join(', '));
  t.is(fs.readFileSync(path.join(dir, aside[0]!), 'utf8'), '{"Format":"hcn-sdk-simulator-state", oops', 'the corrupt file is kept aside');
  t.is((JSON.parse(r.stdout) as { counts: { networks: number } }).counts.networks, 1, 'a fresh default state');
  t.is((await hcnCli(file, ['lb', 'list'])).code, 0);
});

test('stray <state>.tmp.* files left by a killed writer are removed by the next writer', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hns.json');
  const seed = await open(t, file);
  await seed.close();
  fs.writeFileSync(`${file}.tmp.99999.1`, '{"half":');
  fs.writeFileSync(`${file}.tmp.424242.7`, '');
  const hcn = await open(t, file);
  await hcn.loadBalancers.create(spec());
  t.deepEqual(fs.readdirSync(dir).filter((n) => n.includes('.tmp.')), []);
});
