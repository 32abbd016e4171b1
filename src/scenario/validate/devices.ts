import { isIP } from 'node:net';
import type { Fields } from '../fields.js';
import { isInterfaceName } from '../../../lab/net.js';
import type { DeviceSpec } from '../types.js';
import { cidrList } from './cidr-field.js';
import { where, type Declared } from './context.js';

export function validateDevices(sources: Fields[], d: Declared): DeviceSpec[] {
  const devices: DeviceSpec[] = [];
  for (const item of d.items(sources, 'device')) {
    const kind = item.string('kind', {
      required: true,
      check: (k) => k === 'vlan' || k === 'ip6tnl',
      what: 'a device kind',
      hint: 'vlan or ip6tnl',
    }) as 'vlan' | 'ip6tnl' | undefined;
    item.only(
      kind === 'vlan'
        ? ['kind', 'netns', 'name', 'link', 'id', 'addresses']
        : ['kind', 'netns', 'name', 'mode', 'local', 'remote', 'addresses'],
    );
    const ns = d.netnsRef(item);
    const name = item.string('name', {
      required: true,
      check: isInterfaceName,
      what: 'a valid interface name',
      hint: 'at most 15 characters, no "/", ":" or spaces',
    });
    // declared even when the rest is wrong: a bad address reports itself, not every table that names the interface
    if (ns !== null && name && !d.addDevice(ns, name))
      item.problem('name', `interface ${name} already exists in ${where(ns)}`);
    const addresses = cidrList(item);
    if (!kind || ns === null || !name || !addresses) continue;
    if (kind === 'vlan') {
      const link = item.string('link', { required: true, check: isInterfaceName, what: 'an interface name' });
      const id = item.integer('id', { required: true, min: 1, max: 4094 });
      if (!link || id === undefined) continue;
      d.requireDevice(item, 'link', ns, link);
      devices.push({ kind, netns: ns, name, link, id, addresses });
    } else {
      const mode = (item.string('mode', {
        check: (m) => ['any', 'ip6ip6', 'ipip6'].includes(m),
        what: 'an ip6tnl mode',
        hint: 'any, ip6ip6 or ipip6',
      }) ?? 'any') as 'any';
      const local = item.string('local', { check: (a) => isIP(a) === 6, what: 'an IPv6 address' });
      const remote = item.string('remote', { check: (a) => isIP(a) === 6, what: 'an IPv6 address' });
      devices.push({ kind, netns: ns, name, mode, local, remote, addresses });
    }
  }
  return devices;
}
