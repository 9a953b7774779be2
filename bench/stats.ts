export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(values: number[]): Summary {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/** a / b, or undefined when either is missing or b is zero (a ratio of nothing is not 0 or ∞). */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
  return a / b;
}

/** The median of the first and of the last `k` values, e.g. per-container start times at the beginning and end of a run. */
export function headAndTail(values: number[], k: number): { head: number; tail: number } {
  const n = Math.max(1, Math.min(k, Math.floor(values.length / 2)));
  return { head: median(values.slice(0, n)), tail: median(values.slice(-n)) };
}
