import { findOnPath } from '../host-facts.js';
import { UserError } from '../errors.js';
import type { Driver, DriverChoice } from './driver.js';

export interface ResolveOptions {
  zonlbPath?: string;
  env?: NodeJS.ProcessEnv;
}

export function findZonlbBinary(opts: ResolveOptions): string | undefined {
  const env = opts.env ?? process.env;
  return opts.zonlbPath ?? env.ZONLB ?? findOnPath('zon-lb', env);
}

/** 'auto' is zon-lb when a binary is found, else the embedded driver (koffi loads only then); each driver's module loads only when chosen. */
export async function resolveDriver(choice: DriverChoice, opts: ResolveOptions = {}): Promise<Driver> {
  if (choice === 'nft') return (await import('./nft.js')).nftDriver;
  if (choice === 'none') return (await import('./none.js')).noneDriver;
  const binary = findZonlbBinary(opts);
  if (choice === 'zon-lb' || (choice === 'auto' && binary)) {
    const { zonlbBinaryDriver } = await import('./zonlb-binary.js');
    return zonlbBinaryDriver({ path: binary });
  }
  try {
    const { embeddedDriver } = await import('./embedded/index.js');
    return embeddedDriver;
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    throw new UserError(`${choice === 'auto' ? 'no zon-lb binary found and ' : ''}the embedded XDP driver is unavailable: ${why}`, 4, ['use --lb nft (the kernel\'s DNAT), or give a zon-lb binary with --zonlb PATH']);
  }
}
