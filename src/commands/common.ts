import path from 'node:path';
import { netlinkRequests, setVerbose, spawnedProcesses } from '../../lab/run-command.js';
import { insideSandbox } from '../../lab/sandbox.js';
import type { DriverChoice } from '../drivers/driver.js';
import { InvalidInput, UserError } from '../errors.js';
import { bpfDir } from '../paths.js';
import { loadScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { printWarnings, scenarioWarnings } from '../plan/warnings.js';

export interface CommonArgs {
  /** undefined: the scenario's [lb] driver (auto unless it says). */
  lb?: DriverChoice;
  zonlb?: string;
  host: boolean;
  json: boolean;
  verbose: boolean;
  set: string[];
}

export function applyCommon(a: CommonArgs): void {
  if (a.verbose) setVerbose((line) => process.stderr.write(`${line}\n`));
}

export function parseSets(sets: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const m = /^([A-Za-z0-9_-]+)=(.*)$/.exec(s);
    if (!m) throw new UserError(`--set ${s}: expected NAME=VALUE`, 2, ['for example --set mtu=1310']);
    out[m[1]!] = m[2]!;
  }
  return out;
}

/**
 * Loads a scenario for a command; its warnings (the zonlb.toml's, and the scenario's with the
 * chosen driver) go to stderr once (not again inside the sandbox).
 */
export function loadFor(ref: string, a: Pick<CommonArgs, 'set' | 'lb'>): Scenario {
  const s = loadScenario(ref, { set: parseSets(a.set ?? []) });
  if (!insideSandbox()) printWarnings([...(s.lb.config?.warnings ?? []), ...scenarioWarnings(s, a.lb ?? s.lb.driver)]);
  return s;
}

/** A run must check something: a scenario without [[check]] would pass having proved nothing. */
export function requireChecks(s: Scenario): void {
  if (s.checks.length) return;
  throw new InvalidInput([{ file: s.files[0] ?? s.name, key: 'check', message: 'no [[check]]: a run of this scenario would check nothing, so it cannot pass', hint: 'add a [[check]] (telnet, nc, ping, iperf or iperf3; zonlab init writes an example); zonlab up builds a lab without checks' }]);
}

/** Progress goes to stderr so stdout stays clean for tables and --json. */
export function progressPrinter(a: Pick<CommonArgs, 'json'>): (line: string) => void {
  return a.json ? () => {} : (line) => process.stderr.write(`${line}\n`);
}

export function bpfObject(name: string): string {
  return path.join(bpfDir, `${name}.o`);
}

/** Holds a lab open until SIGINT or SIGTERM; a timer keeps Node's event loop from ending first. */
export function untilSignalled(): Promise<void> {
  const keepAlive = setInterval(() => {}, 1 << 30);
  return new Promise<void>((resolve) => {
    const done = () => {
      clearInterval(keepAlive);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

/** --verbose: what the command cost in processes (the engine's netlink requests spawn none). */
export function reportCost(a: Pick<CommonArgs, 'verbose'>): void {
  if (a.verbose) process.stderr.write(`processes spawned: ${spawnedProcesses()}, netlink requests: ${netlinkRequests()}\n`);
}
