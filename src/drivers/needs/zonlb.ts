import type { Scenario } from '../../scenario/types.js';
import type { ZonlbConfig } from '../../zonlb/config.js';
import type { Needs } from './index.js';
import { xdpNeeds } from './xdp.js';

/**
 * zon-lb: what every XDP forwarder needs, and interface indexes of their own for the interfaces it
 * attaches to (the lab makes them, in its default namespace). zon-lb finds "the program on IF" by
 * IF's index across every namespace of the machine (info.rs build_prog_info, the lowest program id
 * on that index), and its devmap of ports holds indexes below 256 (TxPorts::init).
 */
export function zonlbNeeds(config: ZonlbConfig, s: Scenario): Needs {
  const made = new Set([
    ...s.veths
      .flatMap((v) => [v.a, v.b])
      .filter((e) => e.netns === undefined)
      .map((e) => e.name),
    ...s.devices.filter((d) => d.netns === undefined).map((d) => d.name),
  ]);
  const interfaces = config.interfaces.filter((i) => made.has(i));
  const why =
    "it finds the program on an interface by its index across every namespace of the machine (another lab's or the host's program on the same index would be read and set as this one) and its devmap holds indexes below 256";
  return {
    ...xdpNeeds('zon-lb', config, s),
    ...(interfaces.length ? { ifindexes: { interfaces, need: { driver: 'zon-lb', why } } } : {}),
  };
}
