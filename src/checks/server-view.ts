import { sameIp } from '../../lab/net.js';

/** The client as the server saw it, for a check's one-line summary. */
export const serverSaw = (seen: string | undefined): string => `server saw ${seen ?? 'an unknown address'}`;

/** expect_source: why the server's view of the client is not the address expected (the load balancer's src_ip). */
export function wrongSource(expectSource: string | undefined, seen: string | undefined): string | undefined {
  if (!expectSource || (seen && sameIp(seen, expectSource))) return undefined;
  return `the server saw the client as ${seen ?? 'an unknown address'}, expected ${expectSource}`;
}
