// What the emulator answered, for tests and benchmarks to assert on. Memory
// stays bounded under any load: the most recent calls are kept whole in a
// ring buffer, and exact running totals (by service, operation, account and
// outcome) are kept for every call ever answered.

export type ServiceName = 'lightsail' | 'organizations' | 'sts';

export interface CallRecord {
  /** 'unknown' when the request named no service the emulator knows. */
  service: ServiceName | 'unknown';
  operation: string;
  /** The account whose credentials signed the call; '' when refused before they were read. */
  accountId: string;
  region: string;
  /** 'pending' while in flight, then 'ok', the error code answered, or 'dropped'. */
  outcome: string;
  instanceName?: string;
  /** Epoch ms when the request had been read. */
  startedAt: number;
  durationMs: number;
}

export type CallFilter = Partial<Pick<CallRecord, 'service' | 'operation' | 'accountId' | 'outcome'>>;

export interface CallCounts {
  /** Calls answered (or dropped) since the start; in-flight calls are not counted yet. */
  total: number;
  byService: Record<string, number>;
  byOperation: Record<string, number>;
  byAccount: Record<string, number>;
  byOutcome: Record<string, number>;
}

export const DEFAULT_CALL_RECORD_LIMIT = 10_000;

/**
 * Distinct (service, operation, account, outcome) totals kept by name. Operation
 * names come from request headers, so past this many the rest are summed
 * under OTHER_OPERATION instead of growing the table without end.
 */
const MAX_TOTAL_KEYS = 1_000;
export const OTHER_OPERATION = '(other)';

interface Total {
  service: string;
  operation: string;
  accountId: string;
  outcome: string;
  count: number;
}

export class CallLog {
  private readonly ring: CallRecord[] = [];
  /** Where the next record goes once the ring is full. */
  private oldest = 0;
  private readonly totals = new Map<string, Total>();

  constructor(readonly limit: number = DEFAULT_CALL_RECORD_LIMIT) {}

  /** A call has been read: it joins the recent records (its outcome is still 'pending'). */
  started(record: CallRecord): void {
    if (this.limit === 0) return;
    if (this.ring.length < this.limit) {
      this.ring.push(record);
      return;
    }
    this.ring[this.oldest] = record;
    this.oldest = (this.oldest + 1) % this.limit;
  }

  /** A call has its outcome: it counts in the totals. */
  finished(record: CallRecord): void {
    const key = (operation: string): string => JSON.stringify([record.service, operation, record.accountId, record.outcome]);
    let operation = record.operation;
    if (!this.totals.has(key(operation)) && this.totals.size >= MAX_TOTAL_KEYS) operation = OTHER_OPERATION;
    const found = this.totals.get(key(operation));
    if (found) found.count += 1;
    else this.totals.set(key(operation), { service: record.service, operation, accountId: record.accountId, outcome: record.outcome, count: 1 });
  }

  /** The most recent records (at most `limit`), oldest first. */
  recent(): CallRecord[] {
    return this.oldest === 0 ? [...this.ring] : [...this.ring.slice(this.oldest), ...this.ring.slice(0, this.oldest)];
  }

  /** Exact number of finished calls matching every given field, however many were answered. */
  count(filter: CallFilter = {}): number {
    let sum = 0;
    for (const total of this.totals.values()) {
      if (filter.service !== undefined && total.service !== filter.service) continue;
      if (filter.operation !== undefined && total.operation !== filter.operation) continue;
      if (filter.accountId !== undefined && total.accountId !== filter.accountId) continue;
      if (filter.outcome !== undefined && total.outcome !== filter.outcome) continue;
      sum += total.count;
    }
    return sum;
  }

  counts(): CallCounts {
    const by = (field: 'service' | 'operation' | 'accountId' | 'outcome'): Record<string, number> => {
      const sums = new Map<string, number>();
      for (const total of this.totals.values()) sums.set(total[field], (sums.get(total[field]) ?? 0) + total.count);
      // fromEntries defines own properties, so a name like "__proto__" is just a key.
      return Object.fromEntries(sums);
    };
    return { total: this.count(), byService: by('service'), byOperation: by('operation'), byAccount: by('accountId'), byOutcome: by('outcome') };
  }
}
