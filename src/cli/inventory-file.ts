// The inventory file reader, shared by the commands that take one (`audit
// --input` evaluates it, the emulator serves it). The file is read as a
// stream: each region, account and instance is parsed and checked on its own
// and handed over, so a file of any size costs little more than its largest
// instance. Port states stay raw: only their being objects is checked; their
// meaning is the engine's business. Any shape problem makes the whole file an
// error (exit 2), reported once the whole file has been read.

import { InventoryError } from '../core/errors.js';
import { JsonSyntaxError, JsonTopLevelSplitter } from '../core/json-split.js';
import { quote, showValue } from '../core/text.js';
import type { ErrorInfo, Inventory, InventoryAccount, InventoryInstance, InventoryRegion } from '../core/types.js';
import { validateFaults, type FaultConfig } from '../emulator/faults.js';
import { INVENTORY_MAX_BYTES, readChunks } from '../io/files.js';

export interface InventoryFile {
  inventory: Inventory;
  /** The optional top-level `faults` section (emulator fault injection). */
  faults?: FaultConfig;
}

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
  faults?: FaultConfig;
  /** `listing` when port states were taken from GetInstances (`--port-source listing`). */
  portSource?: string;
  /** Account ids the file's regions and instances name. */
  accountIds: Set<string>;
  /** Account ids the file's `accounts` list holds (organization inventories). */
  listedAccounts: Set<string>;
}

/** Stop listing shape errors after this many: one wrong field in a big file tends to repeat. */
const MAX_PROBLEMS = 20;

const STREAMED = new Set(['regions', 'instances', 'accounts']);
const WANTED = new Set(['version', 'collectedAt', 'faults', 'portSource']);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return showValue(value, 40);
}

const UNKNOWN_ERROR: ErrorInfo = { code: 'UnknownError', message: 'the inventory records no reason' };

/** Checks pieces as they come and remembers what the end must check. */
class InventoryChecker {
  readonly problems: string[] = [];
  private dropped = 0;
  private readonly header: Record<string, unknown> = {};
  private readonly seen = new Set<string>();
  private readonly listedAccounts = new Set<string>();
  private readonly namedAccounts = new Set<string>();
  private organization = false;

  constructor(private readonly sink: InventorySink) {}

  problem(path: string, message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(`${path}: ${message}`);
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
    if (h['version'] !== 1) this.problem('version', `expected 1, got ${h['version'] === undefined ? 'nothing' : describe(h['version'])}`);
    if (typeof h['collectedAt'] !== 'string') this.problem('collectedAt', `expected a string, got ${h['collectedAt'] === undefined ? 'nothing' : describe(h['collectedAt'])}`);
    if (!this.seen.has('regions')) this.problem('regions', 'missing (expected an array)');
    if (!this.seen.has('instances')) this.problem('instances', 'missing (expected an array)');
    if (h['portSource'] !== undefined && h['portSource'] !== 'port-states' && h['portSource'] !== 'listing') {
      this.problem('portSource', `expected "port-states" or "listing", got ${describe(h['portSource'])}`);
    }
    if (this.organization) {
      for (const id of this.namedAccounts) if (!this.listedAccounts.has(id)) this.problem('accounts', `account ${quote(id)} is named by a region or an instance but not listed`);
    }
    if (h['faults'] !== undefined) for (const p of validateFaults(h['faults'], 'faults')) this.problem(p.split(': ')[0] ?? 'faults', p.slice(p.indexOf(': ') + 2));
    if (this.dropped > 0) this.problems.push(`... and ${this.dropped} more problem${this.dropped === 1 ? '' : 's'}`);
    return {
      collectedAt: typeof h['collectedAt'] === 'string' ? h['collectedAt'] : '',
      organization: this.organization,
      ...(h['faults'] !== undefined ? { faults: h['faults'] as FaultConfig } : {}),
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

  private accountOf(obj: Record<string, unknown>, path: string): string | undefined {
    const id = this.string(obj, 'accountId', path, true);
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
    const id = this.string(value, 'id', path);
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
    const instance = value as InventoryInstance;
    if (status === 'error' && error === undefined) instance.error = UNKNOWN_ERROR;
    return instance;
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

/**
 * Reads an inventory (a file, or `-` for standard input) into `sink`, piece
 * by piece. Throws InventoryError with every problem (`FILE: path: message`)
 * once the whole file is read; the sink may then have received part of it
 * and must be thrown away.
 */
export async function streamInventoryFile(path: string, sink: InventorySink): Promise<InventoryHeader> {
  const checker = new InventoryChecker(sink);
  const splitter = new JsonTopLevelSplitter({ streamed: STREAMED, wanted: WANTED }, checker);
  try {
    for await (const chunk of readChunks(path, 'inventory', INVENTORY_MAX_BYTES)) splitter.write(chunk);
    splitter.end();
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new InventoryError(`${path}: not valid JSON: ${e.message}`);
    throw e;
  }
  const header = checker.finish();
  if (checker.problems.length > 0) throw new InventoryError(checker.problems.map((p) => `${path}: ${p}`));
  return header;
}

/** A sink that keeps everything: the whole inventory in memory (the emulator, tests). */
function collectingSink(): { sink: InventorySink; accounts: InventoryAccount[]; regions: InventoryRegion[]; instances: InventoryInstance[] } {
  const accounts: InventoryAccount[] = [];
  const regions: InventoryRegion[] = [];
  const instances: InventoryInstance[] = [];
  return {
    accounts,
    regions,
    instances,
    sink: { account: (a) => accounts.push(a), region: (r) => regions.push(r), instance: (i) => instances.push(i) },
  };
}

function assemble(header: InventoryHeader, kept: ReturnType<typeof collectingSink>): InventoryFile {
  const inventory: Inventory = {
    version: 1,
    collectedAt: header.collectedAt,
    ...(header.organization ? { accounts: kept.accounts } : {}),
    regions: kept.regions,
    instances: kept.instances,
    ...(header.portSource !== undefined ? { portSource: header.portSource } : {}),
  };
  return header.faults === undefined ? { inventory } : { inventory, faults: header.faults };
}

/** The whole inventory of a file (or `-`). */
export async function readInventoryFile(path: string): Promise<InventoryFile> {
  const kept = collectingSink();
  const header = await streamInventoryFile(path, kept.sink);
  return assemble(header, kept);
}

/** Parses and validates inventory JSON text; `file` names it in messages. */
export function parseInventoryText(text: string, file: string): InventoryFile {
  const kept = collectingSink();
  const checker = new InventoryChecker(kept.sink);
  const splitter = new JsonTopLevelSplitter({ streamed: STREAMED, wanted: WANTED }, checker);
  try {
    splitter.write(Buffer.from(text, 'utf8'));
    splitter.end();
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new InventoryError(`${file}: not valid JSON: ${e.message}`);
    throw e;
  }
  const header = checker.finish();
  if (checker.problems.length > 0) throw new InventoryError(checker.problems.map((p) => `${file}: ${p}`));
  return assemble(header, kept);
}

/**
 * The inventory as JSON text, piece by piece: one line per account, region
 * and instance (diffable, and a million instances never become one string).
 */
export function* formatInventory(inventory: Inventory): Generator<string> {
  const { accounts, regions, instances, ...header } = inventory;
  yield '{\n';
  for (const [key, value] of Object.entries(header)) yield `  ${JSON.stringify(key)}: ${JSON.stringify(value)},\n`;
  if (accounts) yield* list('accounts', accounts, ',');
  yield* list('regions', regions, ',');
  yield* list('instances', instances, '');
  yield '}\n';
}

function* list(key: string, items: readonly unknown[], after: string): Generator<string> {
  if (items.length === 0) {
    yield `  ${JSON.stringify(key)}: []${after}\n`;
    return;
  }
  yield `  ${JSON.stringify(key)}: [\n`;
  for (let i = 0; i < items.length; i++) yield `    ${JSON.stringify(items[i])}${i < items.length - 1 ? ',' : ''}\n`;
  yield `  ]${after}\n`;
}
