// The shape of an inventory (policy-v1 section 1, org-v1 O2), checked piece
// by piece as a file streams in, or over an object already in memory (one
// account of the emulator's organization file). Port states stay raw: only
// their being objects is checked; their meaning is the engine's business.
// Every problem is `path: message`, the first 20 of them, then a count.

import { isAccountId } from './account-state.js';
import { quote, showValue } from './text.js';
import type { ErrorInfo, InventoryAccount, InventoryInstance, InventoryRegion } from './types.js';

/** Where the pieces of an inventory go as they are read. */
export interface InventorySink {
  account(account: InventoryAccount): void;
  region(region: InventoryRegion): void;
  instance(instance: InventoryInstance): void;
}

/** The top-level values of an inventory other than its lists. */
export interface InventoryHeader {
  collectedAt: string;
  /** Whether the file lists `accounts` (an organization inventory, org-v1 O2). */
  organization: boolean;
  /** The `faults` section (emulator fault injection), as checked by `checkFaults`. */
  faults?: unknown;
  /** `listing` when port states were taken from GetInstances (`--port-source listing`). */
  portSource?: string;
  /** Account ids the file's regions and instances name. */
  accountIds: Set<string>;
  /** Account ids the file's `accounts` list holds (organization inventories). */
  listedAccounts: Set<string>;
}

export interface ShapeOptions {
  /** `version` and `collectedAt` must be there (a file); else only checked when given (one account of an organization file). */
  requireHeader?: boolean;
  /** Put before every path, e.g. `accounts[2].inventory`. */
  prefix?: string;
  /** The account whose inventory this is: Lightsail ARNs must name it. */
  accountId?: string;
  /** Checks the `faults` section (the emulator's own rules), as `path: message` lines. */
  checkFaults?: (value: unknown, path: string) => string[];
}

export const STREAMED_KEYS: ReadonlySet<string> = new Set(['regions', 'instances', 'accounts']);
export const HEADER_KEYS: ReadonlySet<string> = new Set(['version', 'collectedAt', 'faults', 'portSource']);
const STREAMED = STREAMED_KEYS;

/** Stop listing shape errors after this many: one wrong field in a big file tends to repeat. */
const MAX_PROBLEMS = 20;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return showValue(value, 40);
}

const UNKNOWN_ERROR: ErrorInfo = { code: 'UnknownError', message: 'the inventory records no reason' };

/** Checks pieces as they come and remembers what the end must check. */
export class InventoryChecker {
  readonly problems: string[] = [];
  private dropped = 0;
  private readonly header: Record<string, unknown> = {};
  private readonly seen = new Set<string>();
  private readonly listedAccounts = new Set<string>();
  private readonly namedAccounts = new Set<string>();
  private organization = false;

  constructor(
    private readonly sink: InventorySink,
    private readonly options: ShapeOptions = {},
  ) {}

  problem(path: string, message: string): void {
    const where = this.options.prefix !== undefined && this.options.prefix !== '' ? `${this.options.prefix}.${path}` : path;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(`${where}: ${message}`);
    else this.dropped++;
  }

  value(key: string, value: unknown): void {
    this.seen.add(key);
    if (STREAMED.has(key)) this.problem(key, `expected an array, got ${describe(value)}`);
    else this.header[key] = value;
  }

  arrayStart(key: string): void {
    this.seen.add(key);
    if (key === 'accounts') this.organization = true;
  }

  element(key: string, index: number, value: unknown): void {
    const before = this.problems.length + this.dropped;
    if (key === 'regions') {
      const region = this.checkRegion(value, `regions[${index}]`);
      if (region && this.problems.length + this.dropped === before) this.sink.region(region);
    } else if (key === 'accounts') {
      const account = this.checkAccount(value, `accounts[${index}]`);
      if (account && this.problems.length + this.dropped === before) this.sink.account(account);
    } else {
      const instance = this.checkInstance(value, `instances[${index}]`);
      if (instance && this.problems.length + this.dropped === before) this.sink.instance(instance);
    }
  }

  finish(): InventoryHeader {
    const h = this.header;
    const required = this.options.requireHeader ?? true;
    if (h['version'] !== 1 && (required || h['version'] !== undefined)) this.problem('version', `expected 1, got ${h['version'] === undefined ? 'nothing' : describe(h['version'])}`);
    if (typeof h['collectedAt'] !== 'string' && (required || h['collectedAt'] !== undefined)) {
      this.problem('collectedAt', `expected a string, got ${h['collectedAt'] === undefined ? 'nothing' : describe(h['collectedAt'])}`);
    }
    if (!this.seen.has('regions')) this.problem('regions', 'missing (expected an array)');
    if (!this.seen.has('instances')) this.problem('instances', 'missing (expected an array)');
    if (h['portSource'] !== undefined && h['portSource'] !== 'port-states' && h['portSource'] !== 'listing') {
      this.problem('portSource', `expected "port-states" or "listing", got ${describe(h['portSource'])}`);
    }
    if (this.organization) {
      for (const id of this.namedAccounts) if (!this.listedAccounts.has(id)) this.problem('accounts', `account ${quote(id)} is named by a region or an instance but not listed`);
    }
    const checkFaults = this.options.checkFaults;
    if (h['faults'] !== undefined && checkFaults) for (const p of checkFaults(h['faults'], 'faults')) this.problem(p.split(': ')[0] ?? 'faults', p.slice(p.indexOf(': ') + 2));
    if (this.dropped > 0) this.problems.push(`... and ${this.dropped} more problem${this.dropped === 1 ? '' : 's'}`);
    return {
      collectedAt: typeof h['collectedAt'] === 'string' ? h['collectedAt'] : '',
      organization: this.organization,
      ...(h['faults'] !== undefined ? { faults: h['faults'] } : {}),
      ...(typeof h['portSource'] === 'string' ? { portSource: h['portSource'] } : {}),
      accountIds: this.namedAccounts,
      listedAccounts: this.listedAccounts,
    };
  }

  private string(obj: Record<string, unknown>, key: string, path: string, optional = false): string | undefined {
    const v = obj[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string') {
      this.problem(`${path}.${key}`, v === undefined ? 'missing (expected a string)' : `expected a string, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  private error(obj: Record<string, unknown>, path: string): ErrorInfo | undefined {
    const error = obj['error'];
    if (error === undefined) return undefined;
    if (!isObject(error)) {
      this.problem(`${path}.error`, `expected an object {code, message}, got ${describe(error)}`);
      return undefined;
    }
    const code = this.string(error, 'code', `${path}.error`);
    const message = this.string(error, 'message', `${path}.error`);
    return code !== undefined && message !== undefined ? { code, message } : undefined;
  }

  /** An AWS account id (isAccountId), or a problem. */
  private accountId(obj: Record<string, unknown>, key: string, path: string, optional = false): string | undefined {
    const id = this.string(obj, key, path, optional);
    if (id === undefined || isAccountId(id)) return id;
    this.problem(`${path}.${key}`, `expected a 12-digit AWS account id, got ${quote(id)}`);
    return undefined;
  }

  private accountOf(obj: Record<string, unknown>, path: string): string | undefined {
    const id = this.accountId(obj, 'accountId', path, true);
    if (id !== undefined) this.namedAccounts.add(id);
    return id;
  }

  private checkRegion(value: unknown, path: string): InventoryRegion | undefined {
    if (!isObject(value)) {
      this.problem(path, `expected an object {name, status}, got ${describe(value)}`);
      return undefined;
    }
    const name = this.string(value, 'name', path);
    const error = this.error(value, path);
    const accountId = this.accountOf(value, path);
    const status = value['status'];
    if (status !== 'ok' && status !== 'error') this.problem(`${path}.status`, `expected "ok" or "error", got ${describe(status)}`);
    if (name === undefined) return undefined;
    const base = accountId !== undefined ? { name, accountId } : { name };
    return status === 'error' ? { ...base, status: 'error', error: error ?? UNKNOWN_ERROR } : { ...base, status: 'ok' };
  }

  private checkAccount(value: unknown, path: string): InventoryAccount | undefined {
    if (!isObject(value)) {
      this.problem(path, `expected an object {id, status}, got ${describe(value)}`);
      return undefined;
    }
    const id = this.accountId(value, 'id', path);
    const name = this.string(value, 'name', path, true);
    const ouPath = this.string(value, 'ouPath', path, true);
    const error = this.error(value, path);
    const status = value['status'];
    if (status !== 'ok' && status !== 'error' && status !== 'skipped') this.problem(`${path}.status`, `expected "ok", "error" or "skipped", got ${describe(status)}`);
    if (id === undefined) return undefined;
    if (this.listedAccounts.has(id)) this.problem(`${path}.id`, `account ${quote(id)} is listed twice`);
    this.listedAccounts.add(id);
    const reason = this.string(value, 'reason', path, true);
    const base = { id, ...(name !== undefined ? { name } : {}), ...(ouPath !== undefined ? { ouPath } : {}) };
    if (status === 'error') return { ...base, status, error: error ?? UNKNOWN_ERROR };
    if (status === 'skipped') return reason !== undefined ? { ...base, status, reason } : { ...base, status };
    return { ...base, status: 'ok' };
  }

  private checkInstance(value: unknown, path: string): InventoryInstance | undefined {
    if (!isObject(value)) {
      this.problem(path, `expected an object {name, region, ...}, got ${describe(value)}`);
      return undefined;
    }
    this.string(value, 'name', path);
    this.string(value, 'region', path);
    this.string(value, 'arn', path, true);
    this.string(value, 'publicIpAddress', path, true);
    this.accountOf(value, path);
    const status = value['status'];
    if (status !== undefined && status !== 'ok' && status !== 'error' && status !== 'gone') {
      this.problem(`${path}.status`, `expected "ok", "error" or "gone", got ${describe(status)}`);
    }
    const error = this.error(value, path);
    this.checkTags(value['tags'], `${path}.tags`);
    this.checkList(value['ipv6Addresses'], `${path}.ipv6Addresses`, (v) => typeof v === 'string', 'a string');
    this.checkList(value['portStates'], `${path}.portStates`, isObject, 'an object');
    this.checkList(value['listedPorts'], `${path}.listedPorts`, isObject, 'an object');
    this.checkArnAccount(value, path);
    const instance = value as InventoryInstance;
    if (status === 'error' && error === undefined) instance.error = UNKNOWN_ERROR;
    return instance;
  }

  /** In one account's inventory (an organization file), a Lightsail ARN must name that account. */
  private checkArnAccount(instance: Record<string, unknown>, path: string): void {
    const expected = this.options.accountId;
    const arn = instance['arn'];
    const named = typeof arn === 'string' ? /^arn:[^:]*:lightsail:[^:]*:(\d{12}):/.exec(arn)?.[1] : undefined;
    if (expected !== undefined && named !== undefined && named !== expected) this.problem(`${path}.arn`, `names account ${named}, but this is the inventory of account ${expected}`);
  }

  private checkTags(tags: unknown, path: string): void {
    if (tags === undefined) return;
    if (!Array.isArray(tags)) {
      this.problem(path, `expected an array, got ${describe(tags)}`);
      return;
    }
    tags.forEach((tag: unknown, t) => {
      if (!isObject(tag)) this.problem(`${path}[${t}]`, `expected an object {key, value}, got ${describe(tag)}`);
      else {
        this.string(tag, 'key', `${path}[${t}]`);
        this.string(tag, 'value', `${path}[${t}]`, true);
      }
    });
  }

  private checkList(list: unknown, path: string, ok: (v: unknown) => boolean, wanted: string): void {
    if (list === undefined) return;
    if (!Array.isArray(list)) {
      this.problem(path, `expected an array, got ${describe(list)}`);
      return;
    }
    list.forEach((v: unknown, i) => {
      if (!ok(v)) this.problem(`${path}[${i}]`, `expected ${wanted}, got ${describe(v)}`);
    });
  }
}

/** The problems of an inventory object already in memory (nothing is kept). */
export function validateInventoryShape(value: unknown, options: ShapeOptions = {}): string[] {
  const checker = new InventoryChecker({ account: () => undefined, region: () => undefined, instance: () => undefined }, options);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${options.prefix !== undefined && options.prefix !== '' ? options.prefix : 'inventory'}: expected an inventory object {regions, instances}, got ${showValue(value, 40)}`];
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (STREAMED.has(key) && Array.isArray(v)) {
      checker.arrayStart(key);
      v.forEach((element: unknown, i) => {
        checker.element(key, i, element);
      });
    } else if (STREAMED.has(key) || HEADER_KEYS.has(key)) checker.value(key, v);
  }
  checker.finish();
  return checker.problems;
}
