// The shape of one account's inventory as the emulator serves it (policy-v1
// section 1 without the need for version/collectedAt), checked so a mistake
// in an organization file is one clear line instead of a puzzling answer.

import { validateFaults } from './faults.js';
import { excerpt, isRecord } from './text.js';

const LIGHTSAIL_ARN_ACCOUNT = /^arn:[^:]*:lightsail:[^:]*:(\d{12}):/;

function at(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

type Report = (path: string, message: string) => void;

function checkString(obj: Record<string, unknown>, key: string, path: string, report: Report, optional = false): void {
  const v = obj[key];
  if (v === undefined && optional) return;
  if (typeof v !== 'string') report(at(path, key), v === undefined ? 'missing (expected a string)' : `expected a string, got ${excerpt(v)}`);
}

function checkError(obj: Record<string, unknown>, path: string, report: Report): void {
  const error = obj['error'];
  if (error === undefined) return;
  if (!isRecord(error)) {
    report(at(path, 'error'), `expected an object {code, message}, got ${excerpt(error)}`);
    return;
  }
  checkString(error, 'code', at(path, 'error'), report);
  checkString(error, 'message', at(path, 'error'), report);
}

function checkObjectList(value: unknown, path: string, report: Report, what: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    report(path, `expected an array, got ${excerpt(value)}`);
    return;
  }
  value.forEach((entry, i) => {
    if (!isRecord(entry)) report(`${path}[${i}]`, `expected ${what}, got ${excerpt(entry)}`);
  });
}

function checkRegion(region: unknown, path: string, report: Report): void {
  if (!isRecord(region)) {
    report(path, `expected an object {name, status}, got ${excerpt(region)}`);
    return;
  }
  checkString(region, 'name', path, report);
  if (region['status'] !== 'ok' && region['status'] !== 'error') report(at(path, 'status'), `expected "ok" or "error", got ${excerpt(region['status'])}`);
  checkError(region, path, report);
}

function checkInstance(instance: unknown, path: string, accountId: string | undefined, report: Report): void {
  if (!isRecord(instance)) {
    report(path, `expected an object {name, region, ...}, got ${excerpt(instance)}`);
    return;
  }
  checkString(instance, 'name', path, report);
  checkString(instance, 'region', path, report);
  checkString(instance, 'arn', path, report, true);
  checkString(instance, 'publicIpAddress', path, report, true);
  const status = instance['status'];
  if (status !== undefined && status !== 'ok' && status !== 'error' && status !== 'gone') {
    report(at(path, 'status'), `expected "ok", "error" or "gone", got ${excerpt(status)}`);
  }
  checkError(instance, path, report);
  const tags = instance['tags'];
  checkObjectList(tags, at(path, 'tags'), report, 'an object {key, value}');
  if (Array.isArray(tags)) {
    tags.forEach((tag, t) => {
      if (!isRecord(tag)) return;
      checkString(tag, 'key', `${at(path, 'tags')}[${t}]`, report);
      checkString(tag, 'value', `${at(path, 'tags')}[${t}]`, report, true);
    });
  }
  const ipv6 = instance['ipv6Addresses'];
  if (ipv6 !== undefined && !Array.isArray(ipv6)) report(at(path, 'ipv6Addresses'), `expected an array, got ${excerpt(ipv6)}`);
  if (Array.isArray(ipv6)) {
    ipv6.forEach((a, i) => {
      if (typeof a !== 'string') report(`${at(path, 'ipv6Addresses')}[${i}]`, `expected a string, got ${excerpt(a)}`);
    });
  }
  checkObjectList(instance['portStates'], at(path, 'portStates'), report, 'an object');
  checkObjectList(instance['listedPorts'], at(path, 'listedPorts'), report, 'an object');
  const arnAccount = typeof instance['arn'] === 'string' ? LIGHTSAIL_ARN_ACCOUNT.exec(instance['arn'])?.[1] : undefined;
  if (accountId !== undefined && arnAccount !== undefined && arnAccount !== accountId) {
    report(at(path, 'arn'), `names account ${arnAccount}, but this is the inventory of account ${accountId}`);
  }
}

/**
 * Problems of one account's inventory as `path: message` (`path` prefixes
 * every key; '' for none). With `accountId`, Lightsail ARNs must name it.
 */
export function validateAccountInventory(value: unknown, path: string, accountId?: string): string[] {
  const problems: string[] = [];
  const report: Report = (where, message) => {
    problems.push(`${where}: ${message}`);
  };
  if (!isRecord(value)) return [`${path || 'inventory'}: expected an inventory object {regions, instances}, got ${excerpt(value)}`];
  if (value['version'] !== undefined && value['version'] !== 1) report(at(path, 'version'), `expected 1, got ${excerpt(value['version'])}`);
  const regions = value['regions'];
  if (!Array.isArray(regions)) report(at(path, 'regions'), `expected an array, got ${excerpt(regions)}`);
  else regions.forEach((region, i) => {
    checkRegion(region, `${at(path, 'regions')}[${i}]`, report);
  });
  const instances = value['instances'];
  if (!Array.isArray(instances)) report(at(path, 'instances'), `expected an array, got ${excerpt(instances)}`);
  else instances.forEach((instance, i) => {
    checkInstance(instance, `${at(path, 'instances')}[${i}]`, accountId, report);
  });
  if (value['faults'] !== undefined) problems.push(...validateFaults(value['faults'], at(path, 'faults'), 'lightsail'));
  return problems;
}
