import { appendFileSync } from 'node:fs';

type Next = (specifier: string, context: unknown) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: unknown, next: Next): Promise<{ url: string }> {
  const r = await next(specifier, context);
  if (process.env.ZONLAB_IMPORT_LOG) appendFileSync(process.env.ZONLAB_IMPORT_LOG, `${r.url}\n`);
  return r;
}
