import path from 'node:path';
import { DRIVER_NAMES, type DriverChoice } from '../types.js';
import { InvalidInput } from '../../errors.js';
import { UnreadableFile } from '../../files.js';
import { parseZonlbConfig, zonlbConfigFromTable, type ZonlbConfig } from '../../zonlb/config.js';
import { namedInterfaces } from '../../zonlb/options.js';
import type { Fields } from '../fields.js';
import type { LbSpec } from '../types.js';
import type { Declared, ValidateInput } from './context.js';

/** [lb]: the driver and the zonlb.toml (a file next to the scenario, or inline), read by zon-lb's rules. */
export function validateLb(top: Fields, d: Declared, input: ValidateInput): LbSpec {
  const f = top.sub('lb');
  if (!f) return { driver: 'none' };
  f.only(['driver', 'config', 'zonlb']);
  const driver = (f.string('driver', {
    check: (s) => (DRIVER_NAMES as readonly string[]).includes(s),
    what: 'a driver',
    hint: `one of ${DRIVER_NAMES.join(', ')}`,
  }) ?? 'auto') as DriverChoice;
  let config: ZonlbConfig | undefined;
  let configText: string | undefined;
  const file = f.string('config', {
    check: (s) => /^[A-Za-z0-9_./-]{1,200}$/.test(s) && !s.split('/').includes('..'),
    what: 'a file name next to the scenario',
    hint: 'a relative path without ".."',
  });
  if (file && f.has('zonlb')) f.problem('zonlb', 'give either config (a file) or an inline [lb.zonlb] table, not both');
  try {
    if (file) {
      const full = path.resolve(path.dirname(input.scenario.file), file);
      try {
        configText = input.readFile(full);
      } catch (err) {
        f.problem(
          'config',
          `cannot read ${full}${err instanceof UnreadableFile ? `: ${err.why.replace(/^cannot read: /, '')}` : ''}`,
          'the zonlb.toml path is relative to the scenario file',
        );
      }
      if (configText !== undefined) config = parseZonlbConfig(configText, full);
    } else if (f.has('zonlb')) {
      const inline = f.sub('zonlb');
      if (inline) config = zonlbConfigFromTable(inline.table, `${input.scenario.file} [lb.zonlb]`);
    } else if (driver !== 'none') {
      f.problem('config', 'is required unless driver = "none"', 'config = "NAME.zonlb.toml", next to the scenario');
    }
  } catch (err) {
    if (err instanceof InvalidInput) d.problems.push(...err.problems);
    else throw err;
  }
  for (const ifname of config?.interfaces ?? []) {
    if (!d.hasDevice(undefined, ifname))
      f.problem(
        file ? 'config' : 'zonlb',
        `the load balancer config names interface ${ifname}, which the scenario does not create in the default namespace`,
      );
  }
  // zon-lb looks up the interfaces options name (redirect=IF, if=IF) when it loads them
  const endpoints = (config?.services ?? []).flatMap((s) => [
    { key: `netif.${s.netif}.${s.gid}`, options: s.options },
    ...s.backends.map((b) => ({ key: `backend.${b.key}`, options: b.options })),
  ]);
  for (const e of endpoints) {
    for (const n of namedInterfaces(e.options)) {
      if (!d.hasDevice(undefined, n.ifname))
        d.problems.push({
          file: config!.file,
          key: `${e.key}.options`,
          message: `${n.option} names interface ${n.ifname}, which the scenario does not create in the default namespace`,
          hint: 'zon-lb logs "No \'IF\' interface" as an ERROR',
        });
    }
  }
  return { driver, config, configText };
}
