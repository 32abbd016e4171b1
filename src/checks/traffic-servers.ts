import { runCommand, startBackground, type BackgroundProcess } from '../../lab/run-command.js';
import type { ServerSpec } from '../scenario/types.js';
import { trafficArgv } from '../traffic/argv.js';
import { waitListening } from './wait-listen.js';

export interface TrafficServers {
  argv: string[][];
  /** Stops them; each says how many connections and datagrams it answered. */
  stop(): Promise<Record<string, { accepted: number; datagrams: number } | undefined>>;
}

/** One server per backend, each answering with its [[server]] name; they stop by themselves after maxSeconds. */
export async function startServers(
  servers: ServerSpec[],
  proto: 'tcp' | 'udp',
  maxSeconds: number,
): Promise<TrafficServers> {
  const procs: { name: string; proc: BackgroundProcess }[] = servers.map((s) => ({
    name: s.name,
    proc: startBackground(
      trafficArgv('server', { name: s.name, address: s.address, port: s.port, 'max-seconds': maxSeconds }),
      { netns: s.netns },
    ),
  }));
  const stop = async () => {
    const out: Record<string, { accepted: number; datagrams: number } | undefined> = {};
    await Promise.all(
      procs.map(async ({ name, proc }) => {
        const r = await proc.stop();
        try {
          out[name] = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { accepted: number; datagrams: number };
        } catch {
          out[name] = undefined;
        }
      }),
    );
    return out;
  };
  try {
    // Node starts in a few hundred ms on an idle machine; on a busy one (load 20 on 2 cores, seen) it took over 5 s
    await Promise.all(
      servers.map((s) => waitListening(`the traffic server ${s.name}`, s.netns, s.address, s.port, proto, 30_000)),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { argv: procs.map((p) => p.proc.argv), stop };
}

/** Runs a client mode in a namespace and parses its JSON; throws with its stderr when it fails. */
export async function runClient<T>(
  netns: string | undefined,
  mode: string,
  args: Record<string, string | number | boolean | undefined>,
  timeoutMs: number,
): Promise<{ argv: string[]; result: T }> {
  const argv = trafficArgv(mode, { ...args, 'max-seconds': Math.ceil(timeoutMs / 1000) });
  const r = await runCommand(argv, { netns, reject: false, timeoutMs: timeoutMs + 5000 });
  if (r.failed)
    throw new Error(
      `the traffic client (${mode}) failed: ${r.timedOut ? 'timed out' : `exit code ${r.exitCode}`}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  return { argv, result: JSON.parse(r.stdout) as T };
}

/** Starts a client mode in the background (a hold, while events are applied). */
export function startClient(
  netns: string | undefined,
  mode: string,
  args: Record<string, string | number | boolean | undefined>,
  timeoutMs: number,
): BackgroundProcess {
  return startBackground(trafficArgv(mode, { ...args, 'max-seconds': Math.ceil(timeoutMs / 1000) }), {
    netns,
    timeoutMs: timeoutMs + 5000,
  });
}
