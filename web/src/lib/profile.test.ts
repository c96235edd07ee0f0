import { describe, expect, it } from 'vitest';
import { barHeights, formatBound, formatCount, formatDistinct, formatNumber, formatShare, formatValue, histogramText, isRunning } from './profile';

describe('profile formatting', () => {
  it('formats counts and distinct values, estimates marked', () => {
    expect(formatCount(2000)).toBe('2,000');
    expect(formatDistinct(40)).toBe('40');
    expect(formatDistinct(50)).toBe('50');
    expect(formatDistinct(1947)).toBe('≈1,947');
  });

  it('gives the share of nulls in the rows', () => {
    expect(formatShare(0, 2000)).toBe('0%');
    expect(formatShare(2, 2000)).toBe('0.1%');
    expect(formatShare(1, 2000)).toBe('<0.1%');
    expect(formatShare(1, 20000)).toBe('<0.1%');
    expect(formatShare(250, 2000)).toBe('12.5%');
    expect(formatShare(1000, 2000)).toBe('50%');
    expect(formatShare(19999, 20000)).toBe('>99.9%');
    expect(formatShare(2000, 2000)).toBe('100%');
    expect(formatShare(0, 0)).toBe('—');
  });

  it('formats values of any JSON type, shortened', () => {
    expect(formatNumber(100000)).toBe('100000');
    expect(formatNumber(810.4680000000001)).toBe('810.468');
    expect(formatValue(8.19)).toBe('8.19');
    expect(formatValue('EUR')).toBe('EUR');
    expect(formatValue('')).toBe('(empty)');
    expect(formatValue(null)).toBe('—');
    expect(formatValue(true)).toBe('true');
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatValue('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('rounds histogram bounds to 4 significant digits', () => {
    expect(formatBound(100199.9)).toBe('100200');
    expect(formatBound(97.332)).toBe('97.33');
    expect(formatBound(8.19)).toBe('8.19');
    expect(formatBound(-0.000123456)).toBe('-0.0001235');
  });
});

describe('histogram', () => {
  const buckets = [
    { low: 0, high: 10, count: 5 },
    { low: 10, high: 20, count: 0 },
    { low: 20, high: 30, count: 200 },
    { low: 30, high: 40, count: 1 },
  ];

  it('scales bars to the largest bucket, keeping small ones visible', () => {
    expect(barHeights(buckets, 20)).toEqual([1, 0, 20, 1]);
    expect(barHeights([{ low: 0, high: 1, count: 0 }], 20)).toEqual([0]);
    expect(barHeights([], 20)).toEqual([]);
  });

  it('reads as text', () => {
    expect(histogramText('price', buckets.slice(0, 2))).toBe('Histogram of price, rows per range: 0 to 10: 5; 10 to 20: 0');
    expect(histogramText('price', [])).toBe('No histogram of price');
  });

  it('knows when a run is still going', () => {
    expect(isRunning('PENDING')).toBe(true);
    expect(isRunning('RUNNING')).toBe(true);
    expect(isRunning('FAILED')).toBe(false);
    expect(isRunning(undefined)).toBe(false);
  });
});
