import koffi from 'koffi';

type CFunction = ReturnType<koffi.IKoffiLib['func']>;

/** A library's C functions by the names zonlab calls them, each from its prototype in koffi's syntax. */
export function cFunctions<K extends string>(library: string, prototypes: Record<K, string>): Record<K, CFunction> {
  const lib = koffi.load(library);
  return Object.fromEntries(
    Object.entries<string>(prototypes).map(([name, prototype]) => [name, lib.func(prototype)]),
  ) as Record<K, CFunction>;
}

/** What make() returns, made at the first call only: koffi loads a library and binds its functions once. */
export function once<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}
