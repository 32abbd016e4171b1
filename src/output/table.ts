import { stripAnsi } from '../text.js';

/** Colour only on a terminal, and never with NO_COLOR (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && process.env.NO_COLOR === undefined;
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
export function paint(text: string, color: keyof typeof CODES, on = useColor()): string {
  return on ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
}

/**
 * Plain aligned columns; colour codes are not counted in the widths. With `width`, the last column
 * is wrapped between words so that no line (nor the rule) is wider: a 641-character reason is
 * several lines, not one.
 */
export function table(header: string[], rows: string[][], o: { width?: number } = {}): string {
  const plain = stripAnsi;
  const widths = header.map((h, i) => Math.max(plain(h).length, ...rows.map((r) => plain(r[i] ?? '').length)));
  const last = header.length - 1;
  const others = widths.slice(0, last).reduce((n, w) => n + w + 2, 0);
  if (o.width && others + widths[last]! > o.width)
    widths[last] = Math.max(plain(header[last]!).length, 20, o.width - others);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - plain(c).length)))
      .join('  ')
      .trimEnd();
  const wrapped = (cells: string[]) => {
    const text = cells[last] ?? '';
    if (plain(text).length <= widths[last]!) return [line(cells)];
    return wrapWords(plain(text), widths[last]!).map((part, k) =>
      line([...(k ? cells.slice(0, last).map(() => '') : cells.slice(0, last)), part]),
    );
  };
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.flatMap(wrapped)].join('\n');
}

/** Lines of at most `width` characters, broken between words (a longer word is cut). */
export function wrapWords(text: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > width) {
      if (cur) {
        out.push(cur);
        cur = '';
      }
      out.push(word.slice(0, width));
      word = word.slice(width);
    }
    if (cur && cur.length + 1 + word.length > width) {
      out.push(cur);
      cur = '';
    }
    cur = cur ? `${cur} ${word}` : word;
  }
  if (cur || !out.length) out.push(cur);
  return out;
}

/** The width for a table on this stream: the terminal's, else 120 columns. */
export function tableWidth(stream: NodeJS.WriteStream = process.stdout): number {
  return Math.max(60, stream.columns || 120);
}
