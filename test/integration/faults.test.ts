import test from 'ava';
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../../src/scenario/load.js';
import { planScenario } from '../../src/plan/plan.js';
import { rootSkipReason, snapshot, type MachineSnapshot } from '../helpers/audit.js';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const results = mkdtempSync(path.join(tmpdir(), 'zonlab-faults-'));
test.after.always(() => rmSync(results, { recursive: true, force: true }));
const env = { NO_COLOR: '1', ZONLAB_RESULTS: results };
const zonlab = (...args: string[]) => execa(process.execPath, [cli, ...args], { reject: false, env });

const skip = rootSkipReason();
// every step of the seed scenario with the nft driver, the load balancer's load last
const steps = planScenario(loadScenario('veth-netns'), { kernel: '6.18', driver: 'nft', bpfDir: '/x' }).length;

type Mode = 'sandbox run' | 'host run' | 'host up';
const plan: [Mode, NodeJS.Signals, 'nft' | 'embedded'][] = [
  ['sandbox run', 'SIGINT', 'nft'], ['sandbox run', 'SIGTERM', 'nft'], ['sandbox run', 'SIGKILL', 'nft'],
  ['host run', 'SIGINT', 'nft'], ['host run', 'SIGTERM', 'nft'], ['host run', 'SIGKILL', 'nft'],
  ['host up', 'SIGKILL', 'nft'],
  // the XDP program on the host's lab links, its pin and zonlab's bpffs: undone from the journal
  ['host run', 'SIGKILL', 'embedded'], ['host up', 'SIGKILL', 'embedded'],
];

async function interruptAt(mode: Mode, signal: NodeJS.Signals, step: number, before: MachineSnapshot, lb: string): Promise<string | undefined> {
  const args = [mode.endsWith('up') ? 'up' : 'run', 'veth-netns', '--lb', lb, '--set', 'duration=1', ...(mode.startsWith('host') ? ['--host'] : [])];
  const child = execa(process.execPath, [cli, ...args], { reject: false, env: { ...env, ZONLAB_PAUSE_AFTER_STEP: String(step) } });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const deadline = Date.now() + 20_000;
  while (!err.includes(`paused after step ${step}`)) {
    if (Date.now() > deadline) { child.kill('SIGKILL'); return `never paused at step ${step}: ${err}`; }
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill(signal);
  const r = await child;
  // 128 + the signal: 130 for SIGINT, 143 for SIGTERM (issue 13)
  if (signal !== 'SIGKILL' && r.exitCode !== 128 + constants.signals[signal]) return `exit ${r.exitCode} after ${signal} at step ${step}: ${err}`;
  if (signal === 'SIGKILL' && mode.startsWith('host')) {
    // the journal is what is left: down (odd steps) or gc (even steps) must undo it all
    const undo = step % 2 ? await zonlab('down', 'veth-netns', '--host') : await zonlab('gc');
    if (undo.exitCode !== 0) return `${step % 2 ? 'down' : 'gc'} failed after SIGKILL at step ${step}: ${undo.stderr}`;
  }
  // a SIGKILLed sandbox is reclaimed by the kernel as its processes die: give it a moment
  for (let i = 0; i < 50; i++) {
    const now = snapshot();
    if (JSON.stringify(now) === JSON.stringify(before)) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
  const now = snapshot();
  const diff = (Object.keys(now) as (keyof MachineSnapshot)[]).filter((k) => now[k] !== before[k]).map((k) => `${k}: ${before[k]} → ${now[k]}`);
  return `after ${signal} at step ${step} (${mode}) the machine differs: ${diff.join('; ')}`;
}

for (const [mode, signal, lb] of plan) {
  const t1 = `${mode} (${lb}) interrupted by ${signal} after each of its ${steps} steps leaves the machine as it was`;
  if (skip) {
    test.skip(`${t1} [skipped: ${skip}]`, () => {});
    continue;
  }
  test.serial(t1, async (t) => {
    const before = snapshot();
    const problems: string[] = [];
    for (let step = 1; step <= steps; step++) {
      const p = await interruptAt(mode, signal, step, before, lb);
      if (p) problems.push(p);
    }
    t.deepEqual(problems, []);
    t.log(`${steps} fault points, ${problems.length} problems`);
  });
}
