import { runCommand } from '../../lab/run-command.js';
import { sameIp } from '../../lab/net.js';

/** "127.0.0.23:223", "[2001:db8::1]:223", "*:223" → address and port. */
export function splitSocket(s: string): { address: string; port: number } | undefined {
  const m = /^\[?([^\]]*?)\]?(?:%[^:]+)?:(\d+|\*)$/.exec(s);
  if (!m) return undefined;
  return { address: m[1]!, port: m[2] === '*' ? 0 : Number(m[2]) };
}

/** Local sockets that `ss -Hln` lists as listening on address:port. */
export function listensOn(ssOutput: string, address: string, port: number): boolean {
  return ssOutput.split('\n').some((line) => {
    const local = line.trim().split(/\s+/)[3];
    const sock = local ? splitSocket(local) : undefined;
    return Boolean(
      sock &&
      sock.port === port &&
      (sameIp(sock.address, address) || sock.address === '*' || sock.address === '0.0.0.0' || sock.address === '::'),
    );
  });
}

/**
 * Waits until something listens on address:port in a namespace: a client started before its
 * listener is a known source of flaky labs.
 */
export async function waitListening(
  what: string,
  netns: string | undefined,
  address: string,
  port: number,
  proto: 'tcp' | 'udp',
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await runCommand(['ss', '-Hln', proto === 'tcp' ? '-t' : '-u'], { netns, reject: false });
    if (listensOn(r.stdout, address, port)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${what} did not listen on ${address}:${port} (${proto}) in ${netns === undefined ? 'the default namespace' : `namespace ${netns}`} within ${timeoutMs / 1000} s`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
