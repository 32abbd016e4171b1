import { fileURLToPath } from 'node:url';

/** The traffic tool (src/traffic/main.ts), built next to this module. */
export const TRAFFIC_TOOL = fileURLToPath(new URL('./main.js', import.meta.url));

/** `node main.js MODE --key value…`: the same Node that runs zonlab, so nothing else needs installing. */
export function trafficArgv(mode: string, args: Record<string, string | number | boolean | undefined>): string[] {
  const flags = Object.entries(args).flatMap(([k, v]) =>
    v === undefined || v === false ? [] : v === true ? [`--${k}`] : [`--${k}`, String(v)],
  );
  return [process.execPath, TRAFFIC_TOOL, mode, ...flags];
}
