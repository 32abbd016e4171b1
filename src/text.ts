// eslint-disable-next-line no-control-regex -- the terminal's colour escapes are what it removes
const ANSI = /\x1b\[[0-9;]*m/g;

/** Text without terminal colours: a tool's output as a person reads it, and as the code matches it. */
export const stripAnsi = (s: string): string => s.replace(ANSI, '');
