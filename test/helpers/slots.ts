/**
 * At most `n` of the calls at once, the others waiting their turn in order: for tests that may run
 * side by side (sandboxed, each audited in a scope of its own) but would crowd a 2-core machine.
 */
export function slots(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let free = n;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}
