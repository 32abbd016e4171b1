import type { Fields } from '../fields.js';
import { isInterfaceName } from '../../../lab/net.js';
import type { AddressSpec, DeviceSpec, NetnsRef, VethPair } from '../types.js';
import { cidrField } from './cidr-field.js';
import type { Declared } from './context.js';

export function validateAddresses(sources: Fields[], d: Declared): AddressSpec[] {
  const addresses: AddressSpec[] = [];
  for (const item of d.items(sources, 'address')) {
    item.only(['netns', 'dev', 'address']);
    const ns = d.netnsRef(item);
    const dev = item.string('dev', {
      required: true,
      check: isInterfaceName,
      what: 'an interface name',
      hint: 'at most 15 characters, no "/" or spaces',
    });
    const cidr = cidrField(item, 'address', true);
    if (ns === null || !dev || !cidr) continue;
    d.requireDevice(item, 'dev', ns, dev);
    addresses.push({ netns: ns, dev, cidr });
  }
  return addresses;
}

/** The addresses a namespace has once the lab is up: its links' and devices', [[address]] entries, its loopback. */
export function localAddresses(
  ns: NetnsRef,
  veths: VethPair[],
  addresses: AddressSpec[],
  devices: DeviceSpec[],
): string[] {
  const out: string[] = [];
  for (const dev of devices) if (dev.netns === ns) out.push(...dev.addresses.map((c) => c.address));
  for (const v of veths)
    for (const end of [v.a, v.b]) if (end.netns === ns) out.push(...end.addresses.map((c) => c.address));
  for (const a of addresses) if (a.netns === ns) out.push(a.cidr.address);
  out.push('127.0.0.1', '::1'); // every namespace has its own loopback
  return out;
}
