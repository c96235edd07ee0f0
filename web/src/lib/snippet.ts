// The API's search snippet marks matches with <em>. We render it as React nodes, never as
// HTML: only <em>…</em> becomes emphasis, every other tag stays literal text, and the
// API's HTML entities are decoded to the characters they stand for.
export type SnippetPart = { text: string; em: boolean };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'", '#47': '/', '#x2F': '/' };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, name: string) => {
    if (name in ENTITIES) return ENTITIES[name];
    if (name.startsWith('#x')) return safeChar(parseInt(name.slice(2), 16), m);
    if (name.startsWith('#')) return safeChar(parseInt(name.slice(1), 10), m);
    return m;
  });
}

function safeChar(code: number, fallback: string): string {
  return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : fallback;
}

/** Splits a snippet into plain and emphasised runs; unbalanced or nested tags are text. */
export function parseSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  const re = /<em>(.*?)<\/em>/gs;
  let last = 0;
  for (let m = re.exec(snippet); m; m = re.exec(snippet)) {
    if (m.index > last) parts.push({ text: decodeEntities(snippet.slice(last, m.index)), em: false });
    if (m[1].length > 0) parts.push({ text: decodeEntities(m[1]), em: true });
    last = re.lastIndex;
  }
  if (last < snippet.length) parts.push({ text: decodeEntities(snippet.slice(last)), em: false });
  return parts.filter((p) => p.text.length > 0);
}
