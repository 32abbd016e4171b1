/** The signals that stop a run: Ctrl-C, `kill`, and a closed terminal. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/**
 * The one way zonlab listens for signals: `handler` on each of `signals` until the returned function
 * is called. A listener of its own replaces Node's default (exit at once), so a run can tear down.
 */
export function onSignals<S extends NodeJS.Signals>(signals: readonly S[], handler: (signal: S) => void): () => void {
  const offs = signals.map((sig) => {
    const h = () => handler(sig);
    process.on(sig, h);
    return () => process.off(sig, h);
  });
  return () => offs.forEach((off) => off());
}

/**
 * Resolves with the first of `signals` to arrive; a timer keeps Node's event loop alive meanwhile.
 * The listeners are in place when this returns (a caller may then tell another process to signal).
 */
export function untilSignal<S extends NodeJS.Signals>(signals: readonly S[]): Promise<S> {
  const keepAlive = setInterval(() => {}, 1 << 30);
  return new Promise<S>((resolve) => {
    const off = onSignals(signals, (sig) => {
      off();
      clearInterval(keepAlive);
      resolve(sig);
    });
  });
}
