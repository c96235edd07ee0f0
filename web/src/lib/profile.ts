// Formatting of a table profile's statistics (pure, unit-tested): counts, null shares,
// values of any JSON type, and the text and bar heights of a histogram.

const countFmt = new Intl.NumberFormat('en');

/** The API counts distinct values exactly up to this many; above, they are estimates. */
export const EXACT_DISTINCT_MAX = 50;

/** 2000 → "2,000". */
export function formatCount(n: number): string {
  return countFmt.format(n);
}

/** Distinct values: exact up to 50, "≈" before an estimate. */
export function formatDistinct(distinct: number): string {
  return distinct > EXACT_DISTINCT_MAX ? `≈${formatCount(distinct)}` : formatCount(distinct);
}

/** The share of `part` in `total` as a percentage: "0%", "<0.1%", "12.5%", "100%"; "—" with no rows. */
export function formatShare(part: number, total: number): string {
  if (total <= 0) return '—';
  if (part <= 0) return '0%';
  if (part >= total) return '100%';
  const pct = (part / total) * 100;
  if (pct < 0.1) return '<0.1%';
  if (pct > 99.9) return '>99.9%';
  return `${Number(pct.toFixed(1))}%`;
}

/** A number short enough for a cell: integers as they are, others to 6 significant digits. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(6)));
}

/** A statistic's value (JSON: numbers as numbers, the rest as text): never longer than `max`. */
export function formatValue(v: unknown, max = 40): string {
  let s: string;
  if (v === null || v === undefined) s = '—';
  else if (typeof v === 'number') s = formatNumber(v);
  else if (typeof v === 'string') s = v === '' ? '(empty)' : v;
  else if (typeof v === 'boolean') s = String(v);
  else s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A histogram bucket's bound, to 4 significant digits (100199.9 → "100200", 97.332 → "97.33"). */
export function formatBound(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return String(Number(n.toPrecision(4)));
}

export interface Bucket {
  low: number;
  high: number;
  count: number;
}

/**
 * Bar heights (0..`height`) proportional to the buckets' counts, the largest full height; a
 * non-empty bucket is at least 1 so it stays visible.
 */
export function barHeights(buckets: readonly Bucket[], height: number): number[] {
  const most = buckets.reduce((m, b) => Math.max(m, b.count), 0);
  if (most === 0) return buckets.map(() => 0);
  return buckets.map((b) => (b.count === 0 ? 0 : Math.max(1, Math.round((b.count / most) * height))));
}

/** The histogram as text, for screen readers and tooltips: "from 1 to 4.9: 190 rows; …". */
export function histogramText(column: string, buckets: readonly Bucket[]): string {
  if (buckets.length === 0) return `No histogram of ${column}`;
  const parts = buckets.map((b) => `${formatBound(b.low)} to ${formatBound(b.high)}: ${formatCount(b.count)}`);
  return `Histogram of ${column}, rows per range: ${parts.join('; ')}`;
}

/** Whether a run is still going (the page reads it again until it settles). */
export function isRunning(status: string | null | undefined): boolean {
  return status === 'PENDING' || status === 'RUNNING';
}
