import type { Fields } from '../fields.js';
import { isNetSysctlKey } from '../names.js';
import { sysctlInterface } from '../../../lab/net.js';
import type { SysctlSpec } from '../types.js';
import type { Declared } from './context.js';

const SYSCTL_VALUE = /^[A-Za-z0-9_.:-]{1,64}$/;

export function validateSysctls(sources: Fields[], d: Declared): SysctlSpec[] {
  const sysctls: SysctlSpec[] = [];
  for (const item of d.items(sources, 'sysctl')) {
    item.only(['netns', 'key', 'value', 'drivers']);
    const ns = d.netnsRef(item);
    const key = item.string('key', {
      required: true,
      check: isNetSysctlKey,
      what: 'a network sysctl key',
      hint: 'a dotted name under net., e.g. "net.ipv4.conf.veth0.accept_local"; other sysctls are not per namespace and are refused',
    });
    const raw = item.table.value;
    let value: string | undefined;
    if (raw === undefined) item.problem('value', 'is required');
    else if (typeof raw === 'number' && Number.isInteger(raw)) value = String(raw);
    else if (typeof raw === 'boolean') value = raw ? '1' : '0';
    else if (typeof raw === 'string' && SYSCTL_VALUE.test(raw)) value = raw;
    else
      item.problem(
        'value',
        `${JSON.stringify(raw)} is not a plain sysctl value`,
        'a number or a word of letters, digits, ".", ":", "_" and "-"',
      );
    // the drivers key is gone: a driver brings what it needs itself (issue 12)
    if (item.has('drivers'))
      item.problem(
        'drivers',
        'is no longer part of a scenario: each driver sets the sysctls it needs itself (zonlab plan NAME --lb DRIVER shows them)',
        'remove this [[sysctl]] if only a driver needed it, or remove its drivers key to keep it for every driver',
      );
    if (ns === null || !key || value === undefined) continue;
    const dev = sysctlInterface(key);
    if (dev && !['all', 'default', 'lo'].includes(dev) && !d.hasDevice(ns, dev)) {
      item.problem(
        'key',
        `names interface ${dev} which is not in ${ns === undefined ? 'the default namespace' : `namespace ${ns}`}`,
        d.knownDevices(ns),
      );
    }
    sysctls.push({ netns: ns, key, value });
  }
  return sysctls;
}
