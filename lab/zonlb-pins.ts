import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

// zon-lb's pins, released by the zon-lb driver and by teardown for a crashed --host run's journal
// (lab/undo-intents.ts): here, below both.

/** zon-lb's pins: `zlb_<ifname>` per attached link, and maps shared across interfaces (another zon-lb on the machine shares them). */
export const linkPin = (bpffs: string, ifname: string) => path.join(bpffs, `zlb_${ifname}`);

const isLinkPin = (name: string) => name.startsWith('zlb_');
const isMapPin = (name: string) => name.startsWith('ZLB_') || name.startsWith('ZLBX_');

function names(bpffs: string): string[] {
  try {
    return readdirSync(bpffs);
  } catch {
    return [];
  }
}

/** The zon-lb links still pinned, the lab's or another zon-lb's. */
export function linkPins(bpffs: string): string[] {
  return names(bpffs).filter(isLinkPin);
}

/**
 * Removes the lab's link pins (which detaches their programs), then zon-lb's map pins only when
 * no zon-lb link is left. Returns what it removed.
 */
export function releasePins(bpffs: string, ifaces: string[]): string[] {
  const removed: string[] = [];
  const remove = (p: string) => {
    if (!existsSync(p)) return;
    rmSync(p, { force: true });
    removed.push(p);
  };
  for (const i of ifaces) remove(linkPin(bpffs, i));
  if (linkPins(bpffs).length === 0) for (const n of names(bpffs).filter(isMapPin)) remove(path.join(bpffs, n));
  return removed;
}
