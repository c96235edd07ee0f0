import { describe, expect, it } from 'vitest';
import { emptySearch, fromParams, reduceSearch, selected, toFilters, toParams } from './searchState';

describe('search state', () => {
  it('toggles facet values and resets paging', () => {
    let s = reduceSearch(emptySearch, { type: 'next', cursor: 'c1' });
    s = reduceSearch(s, { type: 'toggle', facet: 'TAG', value: 'gold' });
    s = reduceSearch(s, { type: 'toggle', facet: 'TAG', value: 'silver' });
    expect(s.cursors).toEqual([]);
    expect(toFilters(s)).toEqual([{ facet: 'TAG', values: ['gold', 'silver'] }]);
    s = reduceSearch(s, { type: 'toggle', facet: 'TAG', value: 'gold' });
    expect(toFilters(s)).toEqual([{ facet: 'TAG', values: ['silver'] }]);
  });
  it('removes chips and drops empty facets', () => {
    let s = reduceSearch(emptySearch, { type: 'toggle', facet: 'KIND', value: 'TABLE' });
    s = reduceSearch(s, { type: 'remove', facet: 'KIND', value: 'TABLE' });
    expect(s.filters).toEqual({});
  });
  it('orders filters by facet and lists chips', () => {
    let s = reduceSearch(emptySearch, { type: 'toggle', facet: 'TOPIC', value: 'Sales' });
    s = reduceSearch(s, { type: 'toggle', facet: 'KIND', value: 'TABLE' });
    expect(toFilters(s).map((f) => f.facet)).toEqual(['KIND', 'TOPIC']);
    expect(selected(s)).toEqual([
      { facet: 'KIND', value: 'TABLE' },
      { facet: 'TOPIC', value: 'Sales' },
    ]);
  });
  it('walks pages forward and back', () => {
    let s = reduceSearch(emptySearch, { type: 'next', cursor: 'a' });
    s = reduceSearch(s, { type: 'next', cursor: 'b' });
    expect(s.cursors).toEqual(['a', 'b']);
    s = reduceSearch(s, { type: 'prev' });
    expect(s.cursors).toEqual(['a']);
  });
  it('a new query keeps filters and goes back to page one', () => {
    let s = reduceSearch(emptySearch, { type: 'toggle', facet: 'TAG', value: 'gold' });
    s = reduceSearch(s, { type: 'next', cursor: 'a' });
    s = reduceSearch(s, { type: 'query', query: '  orders ' });
    expect(s).toEqual({ query: 'orders', filters: { TAG: ['gold'] }, cursors: [] });
  });
  it('round-trips through the URL, ignoring unknown facets', () => {
    let s = reduceSearch(emptySearch, { type: 'query', query: 'sales' });
    s = reduceSearch(s, { type: 'toggle', facet: 'TERM', value: 'Business Glossary/Sales/Order' });
    s = reduceSearch(s, { type: 'next', cursor: 'x' });
    const p = toParams(s);
    expect(fromParams(p)).toEqual(s);
    expect(fromParams(new URLSearchParams('f=NOPE:x&f=TAG'))).toEqual(emptySearch);
  });
});
