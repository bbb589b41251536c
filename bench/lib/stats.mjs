/** Small statistics for benchmark samples. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The q-quantile (0..1) by nearest rank. */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** { median, min, max, n, samples } of a list of numbers. */
export function summarize(values) {
  const clean = values.filter((value) => typeof value === 'number' && Number.isFinite(value));
  return { median: median(clean), min: clean.length ? Math.min(...clean) : null, max: clean.length ? Math.max(...clean) : null, n: clean.length, samples: clean };
}
