// `portolan accounts --matrix N`: the accounts to audit split into at most N
// shards for a GitHub Actions matrix. Balanced by count (sizes differ by at
// most one) and deterministic: the same accounts always give the same shards.

export interface MatrixEntry {
  /** "2-of-5" */
  shard: string;
  /** Comma-separated account ids, as `--accounts` takes them. */
  accounts: string;
}

export function shardAccounts(ids: readonly string[], maxShards: number): { include: MatrixEntry[] } {
  const sorted = [...new Set(ids)].sort();
  const count = Math.max(1, Math.min(maxShards, sorted.length));
  const include: MatrixEntry[] = [];
  let at = 0;
  for (let k = 0; k < count && at < sorted.length; k++) {
    const size = Math.floor(sorted.length / count) + (k < sorted.length % count ? 1 : 0);
    include.push({ shard: `${k + 1}-of-${count}`, accounts: sorted.slice(at, at + size).join(',') });
    at += size;
  }
  return { include };
}
