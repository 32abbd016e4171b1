import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { releaseIfindexes, reserveIfindexes, type ReserveOptions } from '../../lab/ifindex-reservations.js';

/** A reservation directory of the test's own, removed after. */
function dir(t: { teardown(f: () => void): void }): string {
  const d = mkdtempSync(path.join(tmpdir(), 'zonlab-ifindex-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const options = (d: string, o: Partial<ReserveOptions> = {}): ReserveOptions => ({
  runId: 'r1',
  interfaces: ['veth0'],
  linkIndexes: () => [],
  inUse: () => [1],
  dir: d,
  ...o,
});

/** Another process holding an flock on FILE (util-linux flock), until killed. */
async function holder(t: { teardown(f: () => void): void }, file: string): Promise<ChildProcess> {
  const child = spawn('flock', ['--no-fork', file, 'sh', '-c', 'echo held; exec sleep 600'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`flock exited ${code}`)));
  });
  return child;
}

test('indexes no XDP link has, none reserved and none the namespace uses, from 255 down', async (t) => {
  const d = dir(t);
  const r = await reserveIfindexes(
    options(d, { interfaces: ['veth0', 'veth2'], linkIndexes: () => [255, 253], inUse: () => [1, 254] }),
  );
  t.deepEqual(r.indexes, { veth0: 252, veth2: 251 });
  t.deepEqual(r.files, [path.join(d, '252'), path.join(d, '251')]);
  t.like(JSON.parse(readFileSync(path.join(d, '252'), 'utf8')), { runId: 'r1', ifname: 'veth0' });
  // a second lab, while the first holds its indexes: others, though no XDP link has them yet
  const second = await reserveIfindexes(
    options(d, { runId: 'r2', linkIndexes: () => [255, 253], inUse: () => [1, 254] }),
  );
  t.deepEqual(second.indexes, { veth0: 250 });
  t.deepEqual(releaseIfindexes([...r.files, ...second.files], 'r1'), r.files, "only the run's own");
  t.true(existsSync(path.join(d, '250')));
  releaseIfindexes(second.files, 'r2');
  t.deepEqual(readdirSync(d), ['lock']);
});

test("another process's reservation is skipped while it lives; a dead process's is reclaimed", async (t) => {
  const d = dir(t);
  const file = path.join(d, '255');
  const other = await holder(t, file);
  writeFileSync(path.join(d, '254'), '{"runId":"dead"}\n'); // its process died: nobody holds it
  const r = await reserveIfindexes(options(d));
  t.deepEqual(r.indexes, { veth0: 254 });
  t.like(JSON.parse(readFileSync(path.join(d, '254'), 'utf8')), { runId: 'r1' });
  other.kill('SIGKILL');
  await new Promise((resolve) => other.once('exit', resolve));
  const after = await reserveIfindexes(options(d, { runId: 'r2' }));
  t.deepEqual(after.indexes, { veth0: 255 }, "the kernel released the dead holder's flock");
  releaseIfindexes([...r.files, ...after.files], 'r1');
  releaseIfindexes(after.files, 'r2');
});

test('the choice waits for the machine-wide lock, and names the lock that stopped it', async (t) => {
  const d = dir(t);
  const other = await holder(t, path.join(d, 'lock'));
  const err = await t.throwsAsync(reserveIfindexes(options(d, { waitMs: 100 })));
  t.regex(err!.message, /interface indexes: .*\/lock stayed locked by another zonlab process for 0 s/);
  t.deepEqual(readdirSync(d), ['lock'], 'nothing reserved without the lock');
  const waiting = reserveIfindexes(options(d));
  other.kill('SIGKILL');
  const r = await waiting;
  t.deepEqual(r.indexes, { veth0: 255 });
  releaseIfindexes(r.files, 'r1');
});

test('no free index below 256 is an error that says why and what takes them', async (t) => {
  const d = dir(t);
  const all = Array.from({ length: 250 }, (_, i) => i + 6);
  const err = await t.throwsAsync(
    reserveIfindexes(options(d, { interfaces: ['veth0', 'veth2'], linkIndexes: () => all, inUse: () => [1, 2, 3, 4] })),
  );
  t.regex(
    err!.message,
    /no interface index below 256 is free for zon-lb on veth0, veth2: zon-lb's devmap holds indexes below 256 and it finds a program by index across the machine/,
  );
  t.regex(
    (err as Error & { details?: string[] }).details?.join('\n') ?? '',
    /taken: 250 by XDP links on the machine, 0 by other labs' zon-lb interfaces, 4 in the lab's namespace/,
  );
  t.deepEqual(readdirSync(d), ['lock']);
  // one is left (5): enough for one interface
  const r = await reserveIfindexes(options(d, { linkIndexes: () => all, inUse: () => [1, 2, 3, 4] }));
  t.deepEqual(r.indexes, { veth0: 5 });
  releaseIfindexes(r.files, 'r1');
});

test("a release after the index was taken by another run leaves that run's reservation", async (t) => {
  const d = dir(t);
  writeFileSync(path.join(d, '255'), '{"runId":"other"}\n');
  const other = await holder(t, path.join(d, '255'));
  t.deepEqual(releaseIfindexes([path.join(d, '255')], 'r1'), []);
  t.true(existsSync(path.join(d, '255')));
  other.kill('SIGKILL');
});
