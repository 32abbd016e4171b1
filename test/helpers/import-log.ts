// `node --import THIS cli.js …` writes every module the CLI loads to $ZONLAB_IMPORT_LOG, one URL a
// line (the hooks run on Node's loader thread; a file is the simplest way back). CommonJS modules
// (yargs is loaded through its CommonJS entry) do not pass the ES module hooks on Node 20: they
// are logged from Module._resolveFilename.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';

register('./import-log-hooks.js', import.meta.url);

const cjs = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolveFilename = cjs._resolveFilename;
cjs._resolveFilename = function (request: string, ...rest: unknown[]): string {
  const file = resolveFilename.call(this, request, ...rest);
  if (process.env.ZONLAB_IMPORT_LOG && file.startsWith('/'))
    appendFileSync(process.env.ZONLAB_IMPORT_LOG, `${pathToFileURL(file).href}\n`);
  return file;
};
