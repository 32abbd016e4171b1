import { isIP } from 'node:net';
import type { Fields } from '../fields.js';
import { isInterfaceName, parseCidr } from '../../../lab/net.js';
import type { RouteSpec } from '../types.js';
import type { Declared } from './context.js';

export function validateRoutes(sources: Fields[], d: Declared): RouteSpec[] {
  const routes: RouteSpec[] = [];
  for (const item of d.items(sources, 'route')) {
    item.only(['netns', 'to', 'via', 'dev', 'family']);
    const ns = d.netnsRef(item);
    const toText = item.string('to', { required: true, hint: '"default" or a prefix such as "10.2.0.0/24"' });
    const via = item.string('via', { check: (s) => isIP(s) !== 0, what: 'an IP address' });
    const dev = item.string('dev', { check: isInterfaceName, what: 'an interface name' });
    const familyField = item.integer('family', { min: 4, max: 6 });
    if (ns === null || toText === undefined) continue;
    let to: RouteSpec['to'] = 'default';
    let family: 4 | 6 | undefined;
    if (toText !== 'default') {
      const c = parseCidr(toText);
      if (!c) {
        item.problem(
          'to',
          `${JSON.stringify(toText)} is not "default" or a prefix`,
          'for example "10.2.0.0/24" or "2001:db8::/64"',
        );
        continue;
      }
      to = c;
      family = c.family;
    }
    if (via) {
      const vf = isIP(via) as 4 | 6;
      if (family && vf !== family) item.problem('via', `gateway ${via} is IPv${vf} but the route is IPv${family}`);
      family ??= vf;
    }
    if (familyField !== undefined && familyField !== 4 && familyField !== 6) item.problem('family', 'must be 4 or 6');
    family ??= familyField === 6 ? 6 : 4;
    if (!via && !dev) item.problem('', 'a route needs "via" or "dev"');
    if (dev) d.requireDevice(item, 'dev', ns, dev);
    routes.push({ netns: ns, to, family, via, dev });
  }
  return routes;
}
