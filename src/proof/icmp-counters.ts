import { runCommand } from '../../lab/run-command.js';

/** Echo requests a namespace's stack answered so far: Icmp InEchos and Icmp6InEchos. */
export interface EchoCounts {
  v4: number;
  v6: number;
}

/** /proc/net/snmp ("Icmp: InMsgs …" then "Icmp: 3 …") and /proc/net/snmp6 ("Icmp6InEchos 3"). */
export function parseEchoCounts(snmp: string): EchoCounts {
  const lines = snmp.split('\n');
  const head = lines.findIndex((l) => l.startsWith('Icmp: ') && /InEchos/.test(l));
  const names = head >= 0 ? lines[head]!.split(/\s+/) : [];
  const values = head >= 0 ? (lines[head + 1] ?? '').split(/\s+/) : [];
  const at = names.indexOf('InEchos');
  const v6 = /^Icmp6InEchos\s+(\d+)/m.exec(snmp);
  return { v4: at > 0 ? Number(values[at]) || 0 : 0, v6: v6 ? Number(v6[1]) : 0 };
}

/** /proc/net is the reading process's namespace's: read from inside the namespace. */
export async function readEchoCounts(netns: string | undefined): Promise<EchoCounts> {
  const r = await runCommand(['cat', '/proc/net/snmp', '/proc/net/snmp6'], { netns, reject: false });
  return parseEchoCounts(r.stdout);
}
