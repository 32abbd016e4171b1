import { isIP } from 'node:net';
import type { Fields } from '../fields.js';
import { isIdentifier } from '../names.js';
import { sameIp } from '../../../lab/net.js';
import type { NetnsRef, ServerSpec } from '../types.js';
import { where, type Declared } from './context.js';

/** [[server]]: where a backend listens; its address must be one the lab gives that namespace. */
export function validateServers(top: Fields, d: Declared, localAddresses: (ns: NetnsRef) => string[]): ServerSpec[] {
  const servers: ServerSpec[] = [];
  for (const item of d.items([top], 'server')) {
    item.only(['name', 'netns', 'address', 'port']);
    const name = item.string('name', { required: true, check: isIdentifier, what: 'a valid name' });
    const ns = d.netnsRef(item);
    const address = item.string('address', { required: true, check: (s) => isIP(s) !== 0, what: 'an IP address' });
    const port = item.integer('port', { required: true, min: 1, max: 65535 });
    if (!name || ns === null || !address || port === undefined) continue;
    if (servers.some((s) => s.name === name)) {
      item.problem('name', `server ${name} is declared twice`);
      continue;
    }
    const local = localAddresses(ns);
    if (!local.some((l) => sameIp(l, address)))
      item.problem(
        'address',
        `${address} is not an address of ${where(ns)}`,
        local.length ? `its addresses: ${local.join(', ')}` : 'add it with [[address]]',
      );
    servers.push({ name, netns: ns, address, port });
  }
  return servers;
}
