// Collection progress on stderr. On a terminal: one line redrawn in place
// with counts and an ETA. Elsewhere (CI logs): a short line at most every
// LOG_INTERVAL_MS, so a long collection shows it is alive without flooding.

import type { CollectProgress } from '../aws/collector.js';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export const LOG_INTERVAL_MS = 5_000;
const REDRAW_INTERVAL_MS = 100;

export function progressLine(p: CollectProgress): string {
  const failed = p.instancesFailed > 0 ? `, ${p.instancesFailed} failed` : '';
  const total = p.listingDone ? String(p.instancesListed) : `${p.instancesListed}+`;
  return `collect: ${p.regionsDone}/${p.regionsTotal} regions, ${p.instancesDone}/${total} instances${failed}`;
}

function isFinal(p: CollectProgress): boolean {
  return p.listingDone && p.regionsDone === p.regionsTotal;
}

function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** A callback for CollectOptions.onProgress that draws on `stream`. */
export function createProgressReporter(stream: ProgressStream, clock: () => number = Date.now): (p: CollectProgress) => void {
  const started = clock();
  let lastDraw = -Infinity;
  let drawn = false;
  let finished = false;
  return (p) => {
    if (finished) return;
    const now = clock();
    const final = isFinal(p);
    if (stream.isTTY) {
      if (final) {
        finished = true;
        if (drawn) stream.write('\r\x1b[2K'); // leave the terminal clean for the summary
        return;
      }
      if (now - lastDraw < REDRAW_INTERVAL_MS) return;
      lastDraw = now;
      drawn = true;
      let line = progressLine(p);
      const total = p.instancesListed;
      if (total > 0) {
        const width = 20;
        const filled = Math.min(width, Math.floor((p.instancesDone / total) * width));
        line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line}`;
        if (p.listingDone && p.instancesDone > 0 && p.instancesDone < total) {
          const eta = ((now - started) / p.instancesDone) * (total - p.instancesDone);
          line += `, ETA ${formatDuration(eta)}`;
        }
      }
      const columns = stream.columns ?? 80;
      stream.write(`\r\x1b[2K${line.slice(0, Math.max(10, columns - 1))}`);
      return;
    }
    if (final) {
      finished = true;
      // Close a long, logged run with its last state; a quick run stays silent.
      if (drawn) stream.write(`${progressLine(p)}\n`);
      return;
    }
    if (now - started < LOG_INTERVAL_MS || now - lastDraw < LOG_INTERVAL_MS) return;
    lastDraw = now;
    drawn = true;
    stream.write(`${progressLine(p)}\n`);
  };
}
