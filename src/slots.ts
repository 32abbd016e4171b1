/**
 * At most `n` of the calls at once, the others waiting their turn in order: for runs that may go
 * side by side (sandboxed) but would crowd a small machine (`zonlab mutants --jobs`, the tests).
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
