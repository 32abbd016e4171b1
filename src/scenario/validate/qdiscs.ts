import type { Fields } from '../fields.js';
import { isInterfaceName } from '../../../lab/net.js';
import { lineOf } from '../source-lines.js';
import type { QdiscSpec } from '../types.js';
import type { Declared } from './context.js';

const TC_SIZE = /^\d+(\.\d+)?([kmgt]?(bit|bps|b)?)$/i;

export function validateQdiscs(sources: Fields[], d: Declared): QdiscSpec[] {
  const qdiscs: QdiscSpec[] = [];
  for (const item of d.items(sources, 'qdisc')) {
    item.only(['netns', 'dev', 'kind', 'rate', 'burst', 'latency']);
    const ns = d.netnsRef(item);
    const dev = item.string('dev', { required: true, check: isInterfaceName, what: 'an interface name' });
    const kind =
      item.string('kind', {
        check: (k) => k === 'tbf',
        what: 'a supported qdisc',
        hint: 'kind = "tbf" (netem is not in these kernels)',
      }) ?? 'tbf';
    const size = (key: string, required: boolean, fallback: string) =>
      item.string(key, {
        required,
        check: (v) => TC_SIZE.test(v),
        what: 'a tc size or rate',
        hint: 'e.g. "10gbit", "1mb", "50ms"',
      }) ?? fallback;
    const rate = size('rate', true, '');
    const burst = size('burst', false, '1mb');
    const latency =
      item.string('latency', { check: (v) => /^\d+(ms|us|s)$/.test(v), what: 'a latency', hint: 'e.g. "50ms"' }) ??
      '50ms';
    if (ns === null || !dev || !rate) continue;
    d.requireDevice(item, 'dev', ns, dev);
    qdiscs.push({
      netns: ns,
      dev,
      kind: kind as 'tbf',
      rate,
      burst,
      latency,
      at: { file: item.origin.file, key: `${item.path}.dev`, line: lineOf(item.origin.text, item.path) },
    });
  }
  return qdiscs;
}
