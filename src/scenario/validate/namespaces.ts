import type { Fields } from '../fields.js';
import { isNetnsName } from '../names.js';
import type { Declared } from './context.js';

export function validateNamespaces(sources: Fields[], d: Declared): void {
  for (const item of d.items(sources, 'netns')) {
    const ns = item.only(['name']).string('name', {
      required: true,
      check: isNetnsName,
      what: 'a valid namespace name',
      hint: 'letters, digits, "-", "_" and ".", at most 32 characters',
    });
    if (ns === undefined) continue;
    if (d.namespaces.includes(ns)) item.problem('name', `namespace ${ns} is declared twice`);
    else d.namespaces.push(ns);
  }
}
