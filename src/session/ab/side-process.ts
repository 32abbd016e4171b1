import { createInterface } from 'node:readline';
import { startSandbox, type SandboxLab } from '../../../lab/sandbox.js';
import { childExit } from '../../errors.js';
import type { LbSpec } from './lb-spec.js';
import { sideLaunch } from './lb-spec.js';
import type { Side } from './rounds.js';
import { encode, type Reply } from './side-schedule.js';

/** The parent's end of one side: a zonlab process in its own sandbox, holding its lab across rounds. */
export interface SideProcess {
  side: Side;
  lb: LbSpec;
  /** The lab is up and the other checks done; undefined when the process ended first (see exited). */
  ready: Promise<Extract<Reply, { type: 'ready' }> | undefined>;
  sample(round: number): Promise<Extract<Reply, { type: 'sample' }> | undefined>;
  /** Asks the side to tear down and write its record; resolves when its process has ended. */
  end(): Promise<{ file?: string; status?: string; exitCode: number }>;
  /** Passes a signal to the process inside the sandbox (unshare ignores it) and closes its requests. */
  signal(sig: NodeJS.Signals): void;
  /** What it printed on stderr (its last lines say why it stopped). */
  stderr(): string;
  exited: Promise<number>;
}

export interface SideOptions {
  scenario: string;
  /** Options every side takes alike (--set, --results, --verbose, --scenarios). */
  args: string[];
  /** Its lab as the registry shows it while the side lives (status, exec and down see it as a run's). */
  lab: SandboxLab;
  /** Each line of its progress (stderr), for the terminal. */
  onLine(line: string): void;
}

export function startSide(side: Side, lb: LbSpec, o: SideOptions): SideProcess {
  const launch = sideLaunch(lb);
  // the other side's build must not leak into this one (empty is unset); the side writes no step summary
  const env = { ZONLAB_XDP_OBJECT: '', GITHUB_STEP_SUMMARY: '', ...launch.env };
  // the side's own --set after those both take: of two values of a parameter the last wins
  const box = startSandbox(['ab-side', o.scenario, '--run-id', o.lab.runId, ...o.args, ...launch.args], {
    lab: o.lab,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const { child } = box;
  let err = '';
  createInterface({ input: child.stderr! }).on('line', (l) => {
    err = (err + l + '\n').slice(-20_000);
    o.onLine(l);
  });
  const replies: Reply[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    try {
      replies.push(JSON.parse(l) as Reply);
    } catch {
      o.onLine(l);
      return;
    }
    waiters.splice(0).forEach((w) => w());
  });
  let ended = false;
  // 'close', not 'exit': its last replies have been read by then
  const exited = new Promise<number>((resolve) =>
    child.on('close', (code, sig) => {
      ended = true;
      resolve(childExit(code, sig));
      waiters.splice(0).forEach((w) => w());
    }),
  );
  /** The next reply of that type; undefined once the process has ended without one. */
  const next = async <T extends Reply['type']>(type: T): Promise<Extract<Reply, { type: T }> | undefined> => {
    for (;;) {
      const i = replies.findIndex((r) => r.type === type);
      if (i >= 0) return replies.splice(i, 1)[0] as Extract<Reply, { type: T }>;
      if (ended) return undefined;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const write = (line: string) => {
    if (!ended && child.stdin!.writable) child.stdin!.write(line);
  };
  return {
    side,
    lb,
    exited,
    ready: next('ready'),
    async sample(round) {
      write(encode({ round }));
      return next('sample');
    },
    async end() {
      write(encode({ end: true }));
      child.stdin!.end();
      const exitCode = await exited;
      const rec = await next('record');
      return { file: rec?.file, status: rec?.status, exitCode };
    },
    signal(sig) {
      box.signal(sig);
      child.stdin!.end();
    },
    stderr: () => err,
  };
}
