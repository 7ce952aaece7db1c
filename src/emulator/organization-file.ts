// The organization file (org-v1 O1): its types, its validation (pure, every
// problem at once as `path: message`), and loading it from disk with the
// inventories it names by path. Contents are untrusted: quoted only as short
// JSON excerpts, never echoed whole.

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UserInputError } from '../core/errors.js';
import type { InventoryInstance, InventoryRegion } from '../core/types.js';
import { validateFaults, type FaultConfig } from './faults.js';
import { validateAccountInventory } from './inventory-shape.js';
import { excerpt, isRecord } from './text.js';

export type AccountState = 'ACTIVE' | 'SUSPENDED' | 'PENDING_ACTIVATION' | 'PENDING_CLOSURE' | 'CLOSED';
export const ACCOUNT_STATES: readonly AccountState[] = ['ACTIVE', 'SUSPENDED', 'PENDING_ACTIVATION', 'PENDING_CLOSURE', 'CLOSED'];

/** The Organizations operations the emulator answers (and `deniedOperations` may name). */
export const ORGANIZATIONS_OPERATIONS = ['ListRoots', 'ListOrganizationalUnitsForParent', 'ListAccountsForParent', 'ListAccounts', 'DescribeOrganization'] as const;

export interface OrganizationRole {
  name: string;
  /** AssumeRole must give exactly this ExternalId. */
  externalId?: string;
  /** The role's MaxSessionDuration in seconds, 3600..43200 (default 3600). */
  maxSessionDuration?: number;
}

/** One account's inventory: policy-v1 section 1 without version/collectedAt, plus its Lightsail faults. */
export interface AccountInventory {
  regions: InventoryRegion[];
  instances: InventoryInstance[];
  faults?: FaultConfig;
  [extra: string]: unknown;
}

export interface OrganizationAccount {
  id: string;
  name: string;
  status: AccountState;
  /** The root id or an organizational unit id. */
  parent: string;
  email?: string;
  joinedMethod?: 'INVITED' | 'CREATED';
  /** ISO 8601. */
  joinedTimestamp?: string;
  roles?: OrganizationRole[];
  /** Inline, or a path relative to the organization file (resolved by loadOrganizationFile). */
  inventory: AccountInventory | string;
}

export interface OrganizationUnit {
  id: string;
  name: string;
  parent: string;
}

export interface OrganizationFaults {
  organizations?: FaultConfig;
  sts?: FaultConfig;
  /** Every account's Lightsail; an account's own `inventory.faults` override it key by key. */
  lightsail?: FaultConfig;
}

export interface OrganizationSpec {
  version: 1;
  organization: {
    id: string;
    managementAccountId: string;
    /** Default `r-root`. */
    rootId?: string;
    /** Organizations operations answered with AccessDeniedException for everyone; "*" for all. */
    deniedOperations?: string[];
  };
  units?: OrganizationUnit[];
  accounts: OrganizationAccount[];
  faults?: OrganizationFaults;
}

export const DEFAULT_ROOT_ID = 'r-root';
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const UNIT_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** Stop listing after this many: one mistake in a big file tends to repeat. */
const MAX_PROBLEMS = 50;

type Report = (path: string, message: string) => void;

function unknownKeys(obj: Record<string, unknown>, known: readonly string[], path: string, report: Report): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) report(path === '' ? key : `${path}.${key}`, `unknown key (known: ${known.join(', ')})`);
  }
}

function checkId(value: unknown, pattern: RegExp, path: string, wanted: string, report: Report): value is string {
  if (typeof value === 'string' && pattern.test(value)) return true;
  report(path, `expected ${wanted}, got ${excerpt(value)}`);
  return false;
}

function checkName(value: unknown, path: string, max: number, report: Report): void {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) report(path, `expected a name of 1..${max} characters, got ${excerpt(value)}`);
}

/** Every list entry that is an object, with its index; the others are reported. */
function objectEntries(value: unknown, path: string, what: string, report: Report): [Record<string, unknown>, number][] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    report(path, `expected an array of ${what}, got ${excerpt(value)}`);
    return [];
  }
  const entries: [Record<string, unknown>, number][] = [];
  value.forEach((entry, i) => {
    if (isRecord(entry)) entries.push([entry, i]);
    else report(`${path}[${i}]`, `expected ${what}, got ${excerpt(entry)}`);
  });
  return entries;
}

function checkOrganization(value: unknown, report: Report): { rootId: string } {
  if (!isRecord(value)) {
    report('organization', `expected an object {id, managementAccountId}, got ${excerpt(value)}`);
    return { rootId: DEFAULT_ROOT_ID };
  }
  unknownKeys(value, ['id', 'managementAccountId', 'rootId', 'deniedOperations'], 'organization', report);
  checkId(value['id'], ORGANIZATION_ID, 'organization.id', 'an organization id like "o-a1b2c3d4e5"', report);
  checkId(value['managementAccountId'], ACCOUNT_ID, 'organization.managementAccountId', 'a 12-digit account id', report);
  const rootId = value['rootId'] === undefined ? DEFAULT_ROOT_ID : value['rootId'];
  if (value['rootId'] !== undefined) checkId(rootId, ROOT_ID, 'organization.rootId', 'a root id like "r-a1b2"', report);
  const denied = value['deniedOperations'];
  if (denied !== undefined) {
    const known = ['*', ...ORGANIZATIONS_OPERATIONS];
    if (!Array.isArray(denied)) report('organization.deniedOperations', `expected an array of operation names or "*", got ${excerpt(denied)}`);
    else {
      denied.forEach((op: unknown, i) => {
        if (!known.includes(op as string)) report(`organization.deniedOperations[${i}]`, `expected "*" or one of ${ORGANIZATIONS_OPERATIONS.join(', ')}, got ${excerpt(op)}`);
      });
    }
  }
  return { rootId: typeof rootId === 'string' ? rootId : DEFAULT_ROOT_ID };
}

function checkUnits(value: unknown, rootId: string, report: Report): Map<string, unknown> {
  const parents = new Map<string, unknown>();
  const entries = objectEntries(value, 'units', 'an organizational unit {id, name, parent}', report);
  for (const [unit, i] of entries) {
    const path = `units[${i}]`;
    unknownKeys(unit, ['id', 'name', 'parent'], path, report);
    checkName(unit['name'], `${path}.name`, 128, report);
    if (!checkId(unit['id'], UNIT_ID, `${path}.id`, 'an OU id like "ou-ab12-cd34ef56"', report)) continue;
    if (parents.has(unit['id']) || unit['id'] === rootId) report(`${path}.id`, `duplicate id ${unit['id']}`);
    else parents.set(unit['id'], unit['parent']);
  }
  for (const [unit, i] of entries) {
    const parent = unit['parent'];
    if (parent !== rootId && !(typeof parent === 'string' && parents.has(parent))) {
      report(`units[${i}].parent`, `expected the root id (${excerpt(rootId)}) or the id of a unit in units[], got ${excerpt(parent)}`);
    }
  }
  return parents;
}

/** Units whose parent chain never reaches the root. */
function checkUnitCycles(parents: Map<string, unknown>, rootId: string, report: Report): void {
  for (const [id] of parents) {
    let at: unknown = id;
    for (let steps = 0; steps <= parents.size && at !== rootId; steps++) at = parents.get(at as string);
    if (at !== rootId && at !== undefined) report('units', `${id}: its parents form a cycle and never reach the root ${excerpt(rootId)}`);
  }
}

function checkRoles(value: unknown, path: string, report: Report): void {
  const seen = new Set<string>();
  for (const [role, i] of objectEntries(value, path, 'a role {name, externalId?}', report)) {
    const where = `${path}[${i}]`;
    unknownKeys(role, ['name', 'externalId', 'maxSessionDuration'], where, report);
    if (checkId(role['name'], ROLE_NAME, `${where}.name`, 'a role name of 1..64 characters [\\w+=,.@-]', report)) {
      if (seen.has(role['name'])) report(`${where}.name`, `duplicate role ${role['name']}`);
      seen.add(role['name']);
    }
    if (role['externalId'] !== undefined) checkId(role['externalId'], EXTERNAL_ID, `${where}.externalId`, 'an external id of 2..1224 characters [\\w+=,.@:/-]', report);
    const max = role['maxSessionDuration'];
    if (max !== undefined && !(Number.isInteger(max) && (max as number) >= 3600 && (max as number) <= 43200)) {
      report(`${where}.maxSessionDuration`, `expected whole seconds 3600..43200, got ${excerpt(max)}`);
    }
  }
}

function checkAccount(account: Record<string, unknown>, path: string, parentExists: (id: unknown) => boolean, report: Report, problems: string[]): void {
  unknownKeys(account, ['id', 'name', 'status', 'parent', 'email', 'joinedMethod', 'joinedTimestamp', 'roles', 'inventory'], path, report);
  checkName(account['name'], `${path}.name`, 50, report);
  if (!ACCOUNT_STATES.includes(account['status'] as AccountState)) report(`${path}.status`, `expected one of ${ACCOUNT_STATES.join(', ')}, got ${excerpt(account['status'])}`);
  if (!parentExists(account['parent'])) report(`${path}.parent`, `expected the root id or the id of a unit in units[], got ${excerpt(account['parent'])}`);
  if (account['email'] !== undefined && !(typeof account['email'] === 'string' && /^[^@\s]+@[^@\s]+$/.test(account['email']))) {
    report(`${path}.email`, `expected an email address, got ${excerpt(account['email'])}`);
  }
  const method = account['joinedMethod'];
  if (method !== undefined && method !== 'INVITED' && method !== 'CREATED') report(`${path}.joinedMethod`, `expected "INVITED" or "CREATED", got ${excerpt(method)}`);
  const joined = account['joinedTimestamp'];
  if (joined !== undefined && !(typeof joined === 'string' && !Number.isNaN(Date.parse(joined)))) report(`${path}.joinedTimestamp`, `expected an ISO 8601 time, got ${excerpt(joined)}`);
  checkRoles(account['roles'], `${path}.roles`, report);
  const inventory = account['inventory'];
  if (typeof inventory === 'string') {
    if (inventory.trim() === '') report(`${path}.inventory`, 'expected an inventory object or a file path, got ""');
  } else {
    const id = typeof account['id'] === 'string' ? account['id'] : undefined;
    problems.push(...validateAccountInventory(inventory, `${path}.inventory`, id));
  }
}

function checkAccounts(value: unknown, rootId: string, unitParents: Map<string, unknown>, report: Report, problems: string[]): void {
  if (!Array.isArray(value)) {
    report('accounts', `expected an array of accounts, got ${excerpt(value)}`);
    return;
  }
  const ids = new Set<string>();
  const parentExists = (id: unknown): boolean => id === rootId || (typeof id === 'string' && unitParents.has(id));
  for (const [account, i] of objectEntries(value, 'accounts', 'an account {id, name, status, parent, roles, inventory}', report)) {
    const path = `accounts[${i}]`;
    if (checkId(account['id'], ACCOUNT_ID, `${path}.id`, 'a 12-digit account id', report)) {
      if (ids.has(account['id'])) report(`${path}.id`, `duplicate account ${account['id']}`);
      ids.add(account['id']);
    }
    checkAccount(account, path, parentExists, report, problems);
  }
}

function checkFaults(value: unknown, problems: string[], report: Report): void {
  if (value === undefined) return;
  if (!isRecord(value)) {
    report('faults', `expected an object {organizations?, sts?, lightsail?}, got ${excerpt(value)}`);
    return;
  }
  unknownKeys(value, ['organizations', 'sts', 'lightsail'], 'faults', report);
  for (const service of ['organizations', 'sts', 'lightsail'] as const) {
    if (value[service] !== undefined) problems.push(...validateFaults(value[service], `faults.${service}`, service));
  }
}

/** Every problem of an organization file's content as `path: message` (inventory paths are not opened here). */
export function validateOrganization(data: unknown): string[] {
  const problems: string[] = [];
  const report: Report = (path, message) => {
    problems.push(`${path}: ${message}`);
  };
  if (!isRecord(data)) return [`expected an organization object {version, organization, units, accounts}, got ${excerpt(data)}`];
  unknownKeys(data, ['version', 'organization', 'units', 'accounts', 'faults'], '', report);
  if (data['version'] !== 1) report('version', `expected 1, got ${excerpt(data['version'])}`);
  const { rootId } = checkOrganization(data['organization'], report);
  const unitParents = checkUnits(data['units'], rootId, report);
  checkUnitCycles(unitParents, rootId, report);
  checkAccounts(data['accounts'], rootId, unitParents, report, problems);
  checkFaults(data['faults'], problems, report);
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [...problems.slice(0, MAX_PROBLEMS), `... and ${problems.length - MAX_PROBLEMS} more problems`];
}

/** Reads an inventory file an account names by path: its inventory and its faults section. */
export type InventoryLoader = (absolutePath: string) => Promise<{ inventory: object; faults?: FaultConfig }> | { inventory: object; faults?: FaultConfig };

/** The built-in loader: JSON with the inventory shape (version and collectedAt optional). */
export async function readAccountInventoryFile(absolutePath: string): Promise<{ inventory: object; faults?: FaultConfig }> {
  const data = parseJson(await readText(absolutePath, 'inventory'), absolutePath);
  const problems = validateAccountInventory(data, '');
  if (problems.length > 0) throw new UserInputError(problems.slice(0, MAX_PROBLEMS).map((p) => `${absolutePath}: ${p}`));
  const { faults, ...inventory } = data as Record<string, unknown>;
  return faults === undefined ? { inventory } : { inventory, faults: faults as FaultConfig };
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new UserInputError(`${path}: cannot read ${what} file: ${why}`);
  }
}

function parseJson(text: string, path: string): unknown {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new UserInputError(`${path}: not valid JSON: ${jsonSyntaxReason(source, (error as Error).message)}`);
  }
}

/** V8's reason without its echo of the input, with a line and column when V8 gives a position. */
function jsonSyntaxReason(text: string, message: string): string {
  const position = /\s+in JSON at position (\d+)/.exec(message);
  const bare = message.replace(/\s+in JSON at position \d+[\s\S]*$/, '').replace(/, (?:\.\.\.)?"[\s\S]*is not valid JSON$/, '');
  // The token V8 names may be any character of the file: escaped, and cut short.
  const reason = JSON.stringify(bare.slice(0, 100)).slice(1, -1);
  if (!position) return reason;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  return `${reason} at line ${line} column ${before.length - before.lastIndexOf('\n')}`;
}

async function loadAccountInventory(
  account: OrganizationAccount,
  index: number,
  path: string,
  load: InventoryLoader,
): Promise<{ account: OrganizationAccount; problems: string[] }> {
  if (typeof account.inventory !== 'string') return { account, problems: [] };
  const file = resolve(dirname(path), account.inventory);
  try {
    const loaded = await load(file);
    const inventory = (loaded.faults === undefined ? { ...loaded.inventory } : { ...loaded.inventory, faults: loaded.faults }) as AccountInventory;
    // The loader checked the shape; whether its ARNs name this account only we can tell.
    return { account: { ...account, inventory }, problems: validateAccountInventory(inventory, '', account.id).map((p) => `${file}: ${p}`) };
  } catch (error) {
    if (error instanceof UserInputError) return { account, problems: error.lines };
    const why = error instanceof Error ? error.message : String(error);
    return { account, problems: [`${path}: accounts[${index}].inventory: cannot read ${excerpt(account.inventory)}: ${excerpt(why)}`] };
  }
}

/**
 * Reads and validates an organization file, then every inventory it names by
 * path (relative to the file), through `loadInventory` when given. All
 * problems at once, each line `file: path: message`, as one UserInputError.
 */
export async function loadOrganizationFile(path: string, options: { loadInventory?: InventoryLoader } = {}): Promise<OrganizationSpec> {
  const data = parseJson(await readText(path, 'organization'), path);
  const problems = validateOrganization(data);
  if (problems.length > 0) throw new UserInputError(problems.map((p) => `${path}: ${p}`));
  const spec = data as OrganizationSpec;
  const load = options.loadInventory ?? readAccountInventoryFile;
  // Loaded side by side; problems are listed in account order whatever finishes first.
  const loaded = await Promise.all(spec.accounts.map((account, i) => loadAccountInventory(account, i, path, load)));
  const lines = loaded.flatMap((result) => result.problems);
  if (lines.length > 0) throw new UserInputError(lines);
  const accounts = loaded.map((result) => result.account);
  return { ...spec, accounts };
}
