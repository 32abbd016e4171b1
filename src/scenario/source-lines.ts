/**
 * smol-toml gives values, not positions; this finds the line of a key path well enough for an
 * error message: the table header, then the key below it.
 */
export function lineOf(text: string, keyPath: string): number | undefined {
  const lines = text.split('\n');
  const parts = keyPath.split('.');
  let from = 0;
  // "check[2].port": the third [[check]] header, then `port =` after it
  const head = /^([A-Za-z_-]+)\[(\d+)\]$/.exec(parts[0] ?? '');
  if (head) {
    let seen = -1;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.trim() === `[[${head[1]}]]`) seen++;
      if (seen === Number(head[2])) {
        from = i;
        break;
      }
    }
    if (seen < Number(head[2])) return undefined;
    parts.shift();
    if (parts.length === 0) return from + 1;
  }
  for (let depth = parts.length; depth >= 1; depth--) {
    const key = parts[depth - 1]!;
    const re = new RegExp(`^\\s*(\\[+\\s*)?([A-Za-z0-9_.-]*\\.)?"?${escape(key)}"?\\s*(=|\\]|\\.)`);
    for (let i = from; i < lines.length; i++) if (re.test(lines[i]!)) return i + 1;
  }
  return head ? from + 1 : undefined;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
