// Everything one emulator run serves: the accounts (each with its Lightsail
// fleet, roles and fault injector), the organization they belong to if any,
// and the injectors of Organizations and STS. Built once at start from a
// single inventory (one account, no organization) or an organization file.

import type { Inventory } from '../core/types.js';
import { FaultInjector, mergeFaults, scopeSalt, type FaultConfig, type PortDriftFault } from './faults.js';
import { DEFAULT_ACCOUNT_ID, indexFleet, type Fleet } from './fleet.js';
import { DEFAULT_ROOT_ID, type AccountInventory, type AccountState, type OrganizationAccount, type OrganizationSpec } from './organization-file.js';

export interface ServedRole {
  name: string;
  externalId?: string;
  /** Longest session AssumeRole may ask for, in seconds. */
  maxSessionSeconds: number;
}

export interface ServedAccount {
  id: string;
  name: string;
  email: string;
  state: AccountState;
  parentId: string;
  joinedMethod: 'INVITED' | 'CREATED';
  /** Epoch seconds. */
  joinedTimestamp: number;
  roles: ReadonlyMap<string, ServedRole>;
  fleet: Fleet;
  lightsailFaults: FaultInjector;
  portDrift?: PortDriftFault;
}

export interface ServedUnit {
  id: string;
  name: string;
  parentId: string;
  /** Organizations' path form: `o-.../r-.../ou-.../`. */
  path: string;
}

export interface ServedOrganization {
  id: string;
  managementAccountId: string;
  rootId: string;
  /** In file order; a unit's parent may come later. */
  units: ServedUnit[];
  /** Operations every caller is denied; '*' denies all. */
  deniedOperations: ReadonlySet<string>;
}

export interface ServedWorld {
  /** Absent for a single inventory: that account is in no organization. */
  organization?: ServedOrganization;
  /** In file order. */
  accounts: ReadonlyMap<string, ServedAccount>;
  /** The account of every caller that did not assume a role (the management account of an organization). */
  baseAccountId: string;
  organizationsFaults: FaultInjector;
  stsFaults: FaultInjector;
}

/** Faults meant for one service only never reach the others. */
function forService(config: FaultConfig, service: 'lightsail' | 'organizations' | 'sts'): FaultConfig {
  const { portDrift, emptyPages, ...common } = config;
  if (service === 'lightsail') return portDrift === undefined ? common : { ...common, portDrift };
  if (service === 'organizations') return emptyPages === undefined ? common : { ...common, emptyPages };
  return common;
}

/** The base account's Lightsail draws the seed's own sequence: a single-inventory run reproduces its faults exactly. */
function lightsailInjector(config: FaultConfig, accountId: string, baseAccountId: string): FaultInjector {
  return new FaultInjector(forService(config, 'lightsail'), accountId === baseAccountId ? 0 : scopeSalt(`lightsail\0${accountId}`));
}

/** One inventory, one account (111122223333), no organization; `faults` apply to every service. */
export function worldFromInventory(inventory: Inventory, faults: FaultConfig = {}): ServedWorld {
  const lightsail = forService(faults, 'lightsail');
  const account: ServedAccount = {
    id: DEFAULT_ACCOUNT_ID,
    name: 'default',
    email: `aws+${DEFAULT_ACCOUNT_ID}@example.com`,
    state: 'ACTIVE',
    parentId: DEFAULT_ROOT_ID,
    joinedMethod: 'CREATED',
    joinedTimestamp: joinedTimestamp(DEFAULT_ACCOUNT_ID, undefined),
    roles: new Map(),
    fleet: indexFleet(inventory),
    lightsailFaults: lightsailInjector(faults, DEFAULT_ACCOUNT_ID, DEFAULT_ACCOUNT_ID),
    ...(lightsail.portDrift ? { portDrift: lightsail.portDrift } : {}),
  };
  return {
    accounts: new Map([[account.id, account]]),
    baseAccountId: account.id,
    organizationsFaults: new FaultInjector(forService(faults, 'organizations'), scopeSalt('organizations')),
    stsFaults: new FaultInjector(forService(faults, 'sts'), scopeSalt('sts')),
  };
}

function joinedTimestamp(id: string, iso: string | undefined): number {
  if (iso !== undefined) return Math.floor(Date.parse(iso) / 1000);
  // A deterministic day in 2021-2022, so listings are reproducible.
  return 1609459200 + (Number(id) % 730) * 86_400;
}

/**
 * An organization whose file leaves out its management account still has one:
 * it is served as an active account under the root, with no roles and no instances.
 */
function managementAccount(spec: OrganizationSpec, rootId: string): OrganizationAccount {
  return { id: spec.organization.managementAccountId, name: 'management', status: 'ACTIVE', parent: rootId, roles: [], inventory: { regions: [], instances: [] } };
}

function unitPaths(spec: OrganizationSpec, rootId: string): ServedUnit[] {
  const units = spec.units ?? [];
  const parentOf = new Map(units.map((u) => [u.id, u.parent]));
  const pathOf = (id: string): string => {
    const chain: string[] = [];
    for (let at: string | undefined = id; at !== undefined && at !== rootId && chain.length <= units.length; at = parentOf.get(at)) chain.unshift(at);
    return `${spec.organization.id}/${rootId}/${chain.map((c) => `${c}/`).join('')}`;
  };
  return units.map((u) => ({ id: u.id, name: u.name, parentId: u.parent, path: pathOf(u.id) }));
}

/** A validated organization whose inventories are all inline (see loadOrganizationFile); `faults` override the file's, key by key. */
export function worldFromOrganization(spec: OrganizationSpec, faults: FaultConfig = {}): ServedWorld {
  const rootId = spec.organization.rootId ?? DEFAULT_ROOT_ID;
  const baseAccountId = spec.organization.managementAccountId;
  const listed = spec.accounts.some((a) => a.id === baseAccountId) ? spec.accounts : [managementAccount(spec, rootId), ...spec.accounts];
  const accounts = new Map<string, ServedAccount>();
  for (const account of listed) {
    const inventory = account.inventory as AccountInventory;
    const lightsail = mergeFaults(spec.faults?.lightsail, inventory.faults, faults);
    accounts.set(account.id, {
      id: account.id,
      name: account.name,
      email: account.email ?? `aws+${account.id}@example.com`,
      state: account.status,
      parentId: account.parent,
      joinedMethod: account.joinedMethod ?? (account.id === baseAccountId ? 'INVITED' : 'CREATED'),
      joinedTimestamp: joinedTimestamp(account.id, account.joinedTimestamp),
      roles: new Map((account.roles ?? []).map((r) => [r.name, { name: r.name, ...(r.externalId !== undefined ? { externalId: r.externalId } : {}), maxSessionSeconds: r.maxSessionDuration ?? 3600 }])),
      fleet: indexFleet(inventory),
      lightsailFaults: lightsailInjector(lightsail, account.id, baseAccountId),
      ...(lightsail.portDrift ? { portDrift: lightsail.portDrift } : {}),
    });
  }
  return {
    organization: {
      id: spec.organization.id,
      managementAccountId: baseAccountId,
      rootId,
      units: unitPaths(spec, rootId),
      deniedOperations: new Set(spec.organization.deniedOperations ?? []),
    },
    accounts,
    baseAccountId,
    organizationsFaults: new FaultInjector(forService(mergeFaults(spec.faults?.organizations, faults), 'organizations'), scopeSalt('organizations')),
    stsFaults: new FaultInjector(forService(mergeFaults(spec.faults?.sts, faults), 'sts'), scopeSalt('sts')),
  };
}
