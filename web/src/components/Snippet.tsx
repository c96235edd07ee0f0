import { parseSnippet } from '../lib/snippet';

/** A search snippet: only the API's <em> marks become emphasis, everything else is text. */
export function Snippet({ text }: { text: string }) {
  return (
    <>
      {parseSnippet(text).map((p, i) => (p.em ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </>
  );
}
