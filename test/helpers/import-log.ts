// `node --import THIS cli.js …` writes every module the CLI loads to $ZONLAB_IMPORT_LOG, one URL a
// line (the hooks run on Node's loader thread; a file is the simplest way back).
import { register } from 'node:module';

register('./import-log-hooks.js', import.meta.url);
