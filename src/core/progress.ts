/** Rate and ETA for progress displays. Pure: time is an input. */
export interface ProgressSnapshot {
  processed: number;
  total: number;
  ratePerSecond: number;
  etaSeconds: number | null;
  percent: number;
}

export function progressSnapshot(processed: number, total: number, startedAt: number, now: number, processedAtStart = 0): ProgressSnapshot {
  const elapsed = Math.max(1, now - startedAt) / 1000;
  const ratePerSecond = Math.max(0, processed - processedAtStart) / elapsed;
  const remaining = Math.max(0, total - processed);
  return {
    processed,
    total,
    ratePerSecond,
    etaSeconds: ratePerSecond > 0 ? Math.round(remaining / ratePerSecond) : null,
    percent: total > 0 ? Math.min(100, Math.round((processed / total) * 100)) : 0,
  };
}

export function formatEta(seconds: number | null): string {
  if (seconds === null) return '--';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}
