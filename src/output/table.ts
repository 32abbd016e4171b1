/** Colour only on a terminal, and never with NO_COLOR (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && process.env.NO_COLOR === undefined;
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
export function paint(text: string, color: keyof typeof CODES, on = useColor()): string {
  return on ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
}

/** Plain aligned columns; colour codes are not counted in the widths. */
export function table(header: string[], rows: string[][]): string {
  const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
  const widths = header.map((h, i) => Math.max(plain(h).length, ...rows.map((r) => plain(r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i]! - plain(c).length)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
