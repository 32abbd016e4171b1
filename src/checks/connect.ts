import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { startBackground, type BackgroundProcess } from '../../lab/run-command.js';
import { serverSaw, wrongSource } from './server-view.js';
import type { ConnectCheck } from '../scenario/types.js';
import { type CheckOutcome, failedOutcome } from './outcome.js';
import { waitListening } from './wait-listen.js';

/** netcat-openbsd -v prints "Connection received on ADDR PORT" (TCP) or "Bound on …/Connection received on" (UDP). */
export function peerFromNcVerbose(stderr: string): string | undefined {
  const m = /Connection (?:received on|from) \[?([0-9a-fA-F:.]+)\]?[ :]?(\d+)?/.exec(stderr);
  return m?.[1];
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** A token each way through the load balancer: the server behind it must get the client's, the client the server's. */
export async function runConnectCheck(spec: ConnectCheck): Promise<CheckOutcome> {
  const t0 = Date.now();
  const six = isIP(spec.server.address) === 6 ? ['-6'] : [];
  const udp = spec.proto === 'udp' ? ['-u'] : [];
  const clientToken = `zonlab-c-${randomBytes(6).toString('hex')}`;
  const serverToken = `zonlab-s-${randomBytes(6).toString('hex')}`;
  const evidence: Record<string, unknown> = { clientToken, serverToken };
  const procs: BackgroundProcess[] = [];
  const fail = (error: string): CheckOutcome => failedOutcome(spec, t0, evidence, error);
  try {
    const server = startBackground(
      ['nc', '-n', '-v', ...six, ...udp, '-l', '-s', spec.server.address, '-p', String(spec.server.port)],
      { netns: spec.server.netns },
    );
    procs.push(server);
    evidence.serverCommand = server.argv;
    await waitListening('nc', spec.server.netns, spec.server.address, spec.server.port, spec.proto);
    const clientArgv = connectClientArgv(spec);
    const client = startBackground(clientArgv, { netns: spec.from });
    procs.push(client);
    evidence.clientCommand = client.argv;
    let clientExited = false;
    void client.done.then(() => {
      clientExited = true;
    });
    client.write(`${clientToken}\r\n`);
    const wait = Math.min(spec.timeoutMs, 10_000);
    // a refused connection ends the client at once: no need to wait out the timeout
    const got = await until(() => server.output().stdout.includes(clientToken) || clientExited, wait);
    if (!got || !server.output().stdout.includes(clientToken)) {
      const why = clientExited ? ': the client exited first' : ` within ${wait / 1000} s`;
      return fail(
        `the server on ${spec.server.address}:${spec.server.port} did not receive the client's token${why} (client said: ${lastLine(client)})`,
      );
    }
    server.write(`${serverToken}\n`);
    if (!(await until(() => client.output().stdout.includes(serverToken), wait))) {
      return fail(`the client did not receive the server's token within ${wait / 1000} s`);
    }
    const seen = peerFromNcVerbose(server.output().stderr);
    evidence.serverSawClientAs = seen;
    evidence.clientSaid = client
      .output()
      .stdout.split('\n')
      .find((l) => /Connected to/.test(l))
      ?.trim();
    const source = wrongSource(spec.expectSource, seen);
    if (source) return fail(source);
    return {
      name: spec.name,
      kind: spec.kind,
      status: 'passed',
      summary: `token both ways (${spec.proto}); ${serverSaw(seen)}`,
      evidence,
      durationMs: Date.now() - t0,
    };
  } catch (err) {
    return fail((err as Error).message);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/** telnet as the READMEs type it; through a given device, curl's telnet:// as zon-lb's VLAN README does. */
export function connectClientArgv(spec: ConnectCheck): string[] {
  if (spec.kind === 'nc')
    return [
      'nc',
      '-n',
      ...(isIP(spec.to) === 6 ? ['-6'] : []),
      ...(spec.proto === 'udp' ? ['-u'] : []),
      spec.to,
      String(spec.port),
    ];
  if (!spec.interface) return ['telnet', spec.to, String(spec.port)];
  const host = isIP(spec.to) === 6 ? `[${spec.to}]` : spec.to;
  return ['curl', '-sS', '--interface', spec.interface, `telnet://${host}:${spec.port}`];
}

function lastLine(p: BackgroundProcess): string {
  const { stdout, stderr } = p.output();
  return `${stdout}\n${stderr}`.trim().split('\n').slice(-1)[0] || 'nothing';
}
