// One account's inventory as Lightsail serves it: indexed by region and name,
// and each instance shaped like a GetInstances entry. Inventory values are
// untrusted (a test may hand over anything): every field is checked before
// use, lookups go through Maps, and what cannot be served is left out.

import { createHash } from 'node:crypto';
import type { InventoryInstance, RawPortState } from '../core/types.js';
import { isRecord } from './text.js';

export const DEFAULT_ACCOUNT_ID = '111122223333';

/** An error an inventory records, read defensively: always two strings. */
export interface RecordedError {
  code: string;
  message: string;
}

export interface RegionView {
  name: string;
  /** Set when the whole region answers this error. */
  error?: RecordedError;
  instances: InventoryInstance[];
  byName: Map<string, InventoryInstance>;
}

export interface Fleet {
  /** Inventory order: regions[] first, then regions only instances name. */
  regions: RegionView[];
  byRegion: Map<string, RegionView>;
}

const DEFAULT_REGION_ERROR: RecordedError = {
  code: 'AccessDeniedException',
  message: 'User is not authorized to perform lightsail operations in this region',
};

/** The recorded error with string fields, or the fallback when the record is unusable. */
export function recordedError(value: unknown, fallback: RecordedError): RecordedError {
  if (!isRecord(value)) return fallback;
  const code = typeof value['code'] === 'string' ? value['code'] : fallback.code;
  const message = typeof value['message'] === 'string' ? value['message'] : fallback.message;
  return { code, message };
}

/** Indexes regions and instances; entries without a string name (and region) are not served. */
export function indexFleet(inventory: { regions?: unknown; instances?: unknown }): Fleet {
  const byRegion = new Map<string, RegionView>();
  const regions: RegionView[] = [];
  const regionView = (name: string): RegionView => {
    let view = byRegion.get(name);
    if (!view) {
      view = { name, instances: [], byName: new Map() };
      byRegion.set(name, view);
      regions.push(view);
    }
    return view;
  };
  for (const region of Array.isArray(inventory.regions) ? (inventory.regions as unknown[]) : []) {
    if (!isRecord(region) || typeof region['name'] !== 'string') continue;
    const view = regionView(region['name']);
    if (region['status'] === 'error') view.error = recordedError(region['error'], DEFAULT_REGION_ERROR);
  }
  for (const instance of Array.isArray(inventory.instances) ? (inventory.instances as unknown[]) : []) {
    if (!isRecord(instance) || typeof instance['name'] !== 'string' || typeof instance['region'] !== 'string') continue;
    const served = instance as InventoryInstance;
    const view = regionView(served.region);
    view.instances.push(served);
    // The first of two same-named instances wins, as a name is unique per region in Lightsail.
    if (!view.byName.has(served.name)) view.byName.set(served.name, served);
  }
  return { regions, byRegion };
}

/**
 * Stable hex digest of the instance identity, the source of every synthesized
 * field. The default account keeps its historical key, so its ARNs never change.
 */
function identityHash(accountId: string, region: string, name: string): string {
  const key = accountId === DEFAULT_ACCOUNT_ID ? `${region}\0${name}` : `${accountId}\0${region}\0${name}`;
  return createHash('sha256').update(key).digest('hex');
}

function uuidFromHash(hex: string): string {
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function synthesizedArn(name: string, region: string, accountId: string = DEFAULT_ACCOUNT_ID): string {
  return `arn:aws:lightsail:${region}:${accountId}:Instance/${uuidFromHash(identityHash(accountId, region, name))}`;
}

function stringField(instance: InventoryInstance, key: string): string | undefined {
  const value = instance[key];
  return typeof value === 'string' ? value : undefined;
}

function accessFrom(cidrs: unknown, ipv6Cidrs: unknown, aliases: unknown): string {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  if (list(cidrs).includes('0.0.0.0/0') || list(ipv6Cidrs).includes('::/0')) return 'Anywhere (0.0.0.0/0 and ::/0)';
  if (list(aliases).includes('lightsail-connect')) return 'Lightsail browser SSH/RDP';
  const all = [...list(cidrs), ...list(ipv6Cidrs)];
  return all.length === 1 && typeof all[0] === 'string' ? all[0] : 'Custom';
}

/** `networking.ports` as GetInstances derives it from the open port states. */
function portsFromStates(states: unknown): unknown[] {
  return (Array.isArray(states) ? (states as unknown[]) : [])
    .filter((s): s is RawPortState => isRecord(s) && s['state'] !== 'closed')
    .map((s) => ({
      fromPort: s.fromPort,
      toPort: s.toPort,
      protocol: s.protocol,
      accessFrom: accessFrom(s.cidrs, s.ipv6Cidrs, s.cidrListAliases),
      accessType: 'public',
      commonName: '',
      accessDirection: 'inbound',
      cidrs: s.cidrs,
      ipv6Cidrs: s.ipv6Cidrs,
      cidrListAliases: s.cidrListAliases,
    }));
}

/**
 * The listed ports: the inventory's `listedPorts` when it has them (raw),
 * otherwise derived from the port states. A drifting listing loses its first
 * entry, so it no longer matches what GetInstancePortStates answers.
 */
function listedPorts(instance: InventoryInstance, drifts: boolean): unknown[] {
  const ports = Array.isArray(instance.listedPorts) ? (instance.listedPorts as unknown[]) : portsFromStates(instance.portStates);
  return drifts ? ports.slice(1) : ports;
}

function creationTime(raw: unknown, hex: string): number {
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  if (typeof raw === 'string' && !Number.isNaN(Date.parse(raw))) return Date.parse(raw) / 1000;
  // Deterministic creation time within 2024 unless the inventory gives one.
  return 1704067200 + (parseInt(hex.slice(0, 8), 16) % 31_536_000);
}

/** The Instance shape of GetInstances, built from an inventory entry of `accountId`. */
export function instanceShape(instance: InventoryInstance, accountId: string, drifts: boolean): Record<string, unknown> {
  const hex = identityHash(accountId, instance.region, instance.name);
  const arn = typeof instance.arn === 'string' ? instance.arn : `arn:aws:lightsail:${instance.region}:${accountId}:Instance/${uuidFromHash(hex)}`;
  const account = arn.split(':')[4] || accountId;
  const ipv6 = Array.isArray(instance.ipv6Addresses) ? instance.ipv6Addresses : [];
  const publicIp = instance.publicIpAddress;
  const ipAddressType =
    stringField(instance, 'ipAddressType') ?? (publicIp === undefined && ipv6.length > 0 ? 'ipv6' : ipv6.length > 0 ? 'dualstack' : 'ipv4');
  const shape: Record<string, unknown> = {
    name: instance.name,
    arn,
    supportCode: `${account}/i-${hex.slice(32, 49)}`,
    createdAt: creationTime(instance['createdAt'], hex),
    location: { availabilityZone: `${instance.region}a`, regionName: instance.region },
    resourceType: 'Instance',
    tags: Array.isArray(instance.tags) ? instance.tags : [],
    blueprintId: stringField(instance, 'blueprintId') ?? 'ubuntu_22_04',
    blueprintName: stringField(instance, 'blueprintName') ?? 'Ubuntu',
    bundleId: stringField(instance, 'bundleId') ?? 'small_3_0',
    isStaticIp: instance['isStaticIp'] === true,
    privateIpAddress:
      stringField(instance, 'privateIpAddress') ??
      `172.26.${parseInt(hex.slice(50, 52), 16)}.${(parseInt(hex.slice(52, 54), 16) % 254) + 1}`,
    ipv6Addresses: ipv6,
    ipAddressType,
    hardware: { cpuCount: 2, ramSizeInGb: 2 },
    state: { code: 16, name: 'running' },
    username: 'ubuntu',
    sshKeyName: 'LightsailDefaultKeyPair',
    networking: { monthlyTransfer: { gbPerMonthAllocated: 3072 }, ports: listedPorts(instance, drifts) },
  };
  if (publicIp !== undefined) shape['publicIpAddress'] = publicIp;
  return shape;
}
