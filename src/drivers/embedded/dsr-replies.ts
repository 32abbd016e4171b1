import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { nextHop } from './neighbours.js';

interface Change { path: string; old: string }

/**
 * In L2 DSR the backend answers the client from the VIP itself, through its default route: the
 * load balancer's namespace. Those replies bypass the load balancer and are forwarded by the
 * kernel, which on the link they arrive on must accept a source that is one of its own addresses
 * (the VIP: accept_local) and forward IPv6 without turning forwarding on for every interface
 * (force_forwarding, kernel 6.17). Returns the undo; each value is restored as it was.
 */
export async function letDsrRepliesThrough(backends: string[]): Promise<() => void> {
  const wanted = new Map<string, string>();
  for (const ip of new Set(backends)) {
    const hop = await nextHop(ip);
    if (!hop) continue;
    const keys = isIP(ip) === 6 ? [`ipv6/conf/${hop.dev}/force_forwarding`] : [`ipv4/conf/${hop.dev}/accept_local`, `ipv4/conf/${hop.dev}/forwarding`];
    for (const k of keys) wanted.set(`/proc/sys/net/${k}`, '1');
  }
  const changes: Change[] = [];
  const undo = () => { for (const c of changes.splice(0).reverse()) writeFileSync(c.path, c.old); };
  try {
    for (const [path, value] of wanted) {
      if (!existsSync(path)) throw new Error(`L2 DSR replies need ${path.slice('/proc/sys/'.length).replaceAll('/', '.')}, which this kernel lacks (IPv6 force_forwarding came with 6.17)`);
      const old = readFileSync(path, 'utf8').trim();
      if (old === value) continue;
      writeFileSync(path, value);
      changes.push({ path, old });
    }
  } catch (err) {
    undo();
    throw err;
  }
  return undo;
}
