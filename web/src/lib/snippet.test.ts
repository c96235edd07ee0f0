import { describe, expect, it } from 'vitest';
import { decodeEntities, parseSnippet } from './snippet';

describe('parseSnippet', () => {
  it('keeps <em> matches as emphasis and the rest as text', () => {
    expect(parseSnippet('<em>Sales</em> after discounts')).toEqual([
      { text: 'Sales', em: true },
      { text: ' after discounts', em: false },
    ]);
  });
  it('leaves every other tag as literal text', () => {
    const parts = parseSnippet('<script>alert(1)</script> <em>x</em><img src=x onerror=alert(1)>');
    expect(parts.filter((p) => p.em).map((p) => p.text)).toEqual(['x']);
    expect(parts.map((p) => p.text).join('')).toBe('<script>alert(1)</script> x<img src=x onerror=alert(1)>');
  });
  it('decodes the API escaping once, so &lt;b&gt; shows as <b> text', () => {
    expect(parseSnippet('a &lt;b&gt; &amp; <em>c&amp;d</em>')).toEqual([
      { text: 'a <b> & ', em: false },
      { text: 'c&d', em: true },
    ]);
  });
  it('treats an unclosed <em> as text', () => {
    expect(parseSnippet('<em>open')).toEqual([{ text: '<em>open', em: false }]);
  });
  it('decodes numeric entities and leaves unknown ones', () => {
    expect(decodeEntities('&#39;&#x41;&nope;')).toBe("'A&nope;");
  });
});
