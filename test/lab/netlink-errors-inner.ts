// Run inside a throwaway network + mount namespace by engines.test.ts: the netlink engine's failures
// against a real kernel, printed as JSON (what ip would have said, and how far each batch got).
import { execFileSync } from 'node:child_process';
import { runNetlinkSteps } from '../../lab/netlink/run.js';

execFileSync('ip', ['netns', 'add', 'zt']);
try {
  const out = {
    missingDevice: runNetlinkSteps('zt', [
      { kind: 'link-up', netns: 'zt', dev: 'lo' },
      { kind: 'link-up', netns: 'zt', dev: 'nope0' },
    ]),
    duplicateAddress: runNetlinkSteps('zt', [
      { kind: 'addr-add', netns: 'zt', dev: 'lo', cidr: '10.7.0.1/24', family: 4, goesWithLab: true },
      { kind: 'addr-add', netns: 'zt', dev: 'lo', cidr: '10.7.0.1/24', family: 4, goesWithLab: true },
      { kind: 'link-mtu', netns: 'zt', dev: 'lo', mtu: 9000 },
    ]),
    unreachableGateway: runNetlinkSteps('zt', [
      { kind: 'route-add', netns: 'zt', to: '10.9.0.0/16', family: 4, via: '10.8.8.8', goesWithLab: true },
    ]),
    missingNamespace: runNetlinkSteps('zt-none', [{ kind: 'link-up', netns: 'zt-none', dev: 'lo' }]),
    mtuAfterFailure: execFileSync('ip', ['-n', 'zt', '-j', 'link', 'show', 'lo'], { encoding: 'utf8' }),
  };
  process.stdout.write(JSON.stringify(out));
} finally {
  execFileSync('ip', ['netns', 'delete', 'zt']);
}
