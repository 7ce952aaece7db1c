// The inventory file reader, shared by the commands that take one (the emulator serves it, `audit
// --input` evaluates it): JSON.parse plus one cheap loop over the shape, so a
// 130 MB file costs little more than parsing it. Port states stay raw: only
// their being objects is checked; their meaning is the engine's business.

import { readFileSync } from 'node:fs';
import { InventoryError } from '../core/errors.js';
import type { Inventory } from '../core/types.js';
import type { FaultConfig } from '../emulator/server.js';

export interface InventoryFile {
  inventory: Inventory;
  /** The optional top-level `faults` section (emulator fault injection). */
  faults?: FaultConfig;
}

/** Stop listing shape errors after this many: one wrong field in a big file tends to repeat. */
const MAX_PROBLEMS = 20;

export function readInventoryFile(path: string): InventoryFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((error as Error).message);
    throw new InventoryError(`${path}: cannot read inventory: ${why}`);
  }
  return parseInventoryText(text, path);
}

/** Parses and validates inventory JSON text; `file` names it in messages. */
export function parseInventoryText(text: string, file: string): InventoryFile {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (error) {
    throw new InventoryError(`${file}: not valid JSON: ${describeJsonError(source, (error as Error).message)}`);
  }
  const problems = validateInventory(data);
  if (problems.length > 0) throw new InventoryError(problems.map((p) => `${file}: ${p}`));
  const { faults, ...rest } = data as Record<string, unknown>;
  const inventory = rest as unknown as Inventory;
  return faults === undefined ? { inventory } : { inventory, faults: faults as FaultConfig };
}

// ---------------------------------------------------------------- shape

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  return String(value);
}

/** Every shape problem as `path: message` (at most MAX_PROBLEMS, then a count). */
export function validateInventory(data: unknown): string[] {
  const problems: string[] = [];
  let dropped = 0;
  const problem = (path: string, message: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(`${path}: ${message}`);
    else dropped++;
  };
  const expectString = (obj: Record<string, unknown>, key: string, path: string, optional = false): void => {
    const v = obj[key];
    if (v === undefined && optional) return;
    if (typeof v !== 'string') problem(`${path}.${key}`, v === undefined ? 'missing (expected a string)' : `expected a string, got ${describe(v)}`);
  };
  const expectError = (obj: Record<string, unknown>, path: string): void => {
    const error = obj['error'];
    if (error === undefined) return;
    if (!isObject(error)) return problem(`${path}.error`, `expected an object {code, message}, got ${describe(error)}`);
    expectString(error, 'code', `${path}.error`);
    expectString(error, 'message', `${path}.error`);
  };

  if (!isObject(data)) return [`expected an inventory object {version, collectedAt, regions, instances}, got ${describe(data)}`];
  if (data['version'] !== 1) problem('version', `expected 1, got ${describe(data['version'])}`);
  if (typeof data['collectedAt'] !== 'string') problem('collectedAt', `expected a string, got ${describe(data['collectedAt'])}`);

  const regions = data['regions'];
  if (!Array.isArray(regions)) problem('regions', `expected an array, got ${describe(regions)}`);
  else {
    for (let i = 0; i < regions.length; i++) {
      const region: unknown = regions[i];
      const path = `regions[${i}]`;
      if (!isObject(region)) {
        problem(path, `expected an object {name, status}, got ${describe(region)}`);
        continue;
      }
      expectString(region, 'name', path);
      if (region['status'] !== 'ok' && region['status'] !== 'error') problem(`${path}.status`, `expected "ok" or "error", got ${describe(region['status'])}`);
      expectError(region, path);
    }
  }

  const instances = data['instances'];
  if (!Array.isArray(instances)) problem('instances', `expected an array, got ${describe(instances)}`);
  else {
    for (let i = 0; i < instances.length; i++) {
      const instance: unknown = instances[i];
      const path = `instances[${i}]`;
      if (!isObject(instance)) {
        problem(path, `expected an object {name, region, ...}, got ${describe(instance)}`);
        continue;
      }
      expectString(instance, 'name', path);
      expectString(instance, 'region', path);
      expectString(instance, 'arn', path, true);
      expectString(instance, 'publicIpAddress', path, true);
      const status = instance['status'];
      if (status !== undefined && status !== 'ok' && status !== 'error' && status !== 'gone') {
        problem(`${path}.status`, `expected "ok", "error" or "gone", got ${describe(status)}`);
      }
      expectError(instance, path);
      const tags = instance['tags'];
      if (tags !== undefined) {
        if (!Array.isArray(tags)) problem(`${path}.tags`, `expected an array, got ${describe(tags)}`);
        else
          for (let t = 0; t < tags.length; t++) {
            const tag: unknown = tags[t];
            if (!isObject(tag)) problem(`${path}.tags[${t}]`, `expected an object {key, value}, got ${describe(tag)}`);
            else {
              expectString(tag, 'key', `${path}.tags[${t}]`);
              expectString(tag, 'value', `${path}.tags[${t}]`, true);
            }
          }
      }
      const ipv6 = instance['ipv6Addresses'];
      if (ipv6 !== undefined) {
        if (!Array.isArray(ipv6)) problem(`${path}.ipv6Addresses`, `expected an array, got ${describe(ipv6)}`);
        else
          for (let a = 0; a < ipv6.length; a++) {
            if (typeof ipv6[a] !== 'string') problem(`${path}.ipv6Addresses[${a}]`, `expected a string, got ${describe(ipv6[a])}`);
          }
      }
      const states = instance['portStates'];
      if (states !== undefined) {
        if (!Array.isArray(states)) problem(`${path}.portStates`, `expected an array, got ${describe(states)}`);
        else
          for (let s = 0; s < states.length; s++) {
            if (!isObject(states[s])) problem(`${path}.portStates[${s}]`, `expected an object, got ${describe(states[s])}`);
          }
      }
    }
  }

  if (data['faults'] !== undefined) problems.push(...validateFaults(data['faults'], 'faults').slice(0, Math.max(0, MAX_PROBLEMS - problems.length)));
  if (dropped > 0) problems.push(`... and ${dropped} more problem${dropped === 1 ? '' : 's'}`);
  return problems;
}

/** Shape problems of a FaultConfig (from the inventory's `faults` section), as `path: message`. */
export function validateFaults(value: unknown, path: string): string[] {
  const problems: string[] = [];
  if (!isObject(value)) return [`${path}: expected an object, got ${describe(value)}`];
  const number = (obj: Record<string, unknown>, key: string, where: string, check: (n: number) => boolean, wanted: string, optional = true): void => {
    const v = obj[key];
    if (v === undefined && optional) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) problems.push(`${where}.${key}: expected ${wanted}, got ${describe(v)}`);
  };
  const known = new Set(['latencyMs', 'jitterMs', 'rateLimit', 'errorRate', 'dropRate', 'slowRegion', 'seed']);
  for (const key of Object.keys(value)) if (!known.has(key)) problems.push(`${path}.${key}: unknown fault (known: ${[...known].join(', ')})`);
  number(value, 'latencyMs', path, (n) => n >= 0, 'a number >= 0');
  number(value, 'jitterMs', path, (n) => n >= 0, 'a number >= 0');
  number(value, 'errorRate', path, (n) => n >= 0 && n <= 1, 'a fraction 0..1');
  number(value, 'dropRate', path, (n) => n >= 0 && n <= 1, 'a fraction 0..1');
  number(value, 'seed', path, (n) => Number.isInteger(n), 'an integer');
  const rate = value['rateLimit'];
  if (rate !== undefined) {
    if (!isObject(rate)) problems.push(`${path}.rateLimit: expected an object {requestsPerSecond, burst?}, got ${describe(rate)}`);
    else {
      number(rate, 'requestsPerSecond', `${path}.rateLimit`, (n) => n > 0, 'a number > 0', false);
      number(rate, 'burst', `${path}.rateLimit`, (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1');
    }
  }
  const slow = value['slowRegion'];
  if (slow !== undefined) {
    if (!isObject(slow)) problems.push(`${path}.slowRegion: expected an object {region, latencyMs}, got ${describe(slow)}`);
    else {
      if (typeof slow['region'] !== 'string') problems.push(`${path}.slowRegion.region: expected a string, got ${describe(slow['region'])}`);
      number(slow, 'latencyMs', `${path}.slowRegion`, (n) => n >= 0, 'a number >= 0', false);
    }
  }
  return problems;
}

// ---------------------------------------------------------------- JSON syntax errors

/** V8's message, without the echo of the input, with a line and column (1-based). */
function describeJsonError(text: string, message: string): string {
  const at = /\s+(?:in JSON )?at position (\d+)/.exec(message);
  const offset = at ? Number(at[1]) : (jsonErrorOffset(text) ?? text.length);
  const reason = message
    .replace(/\s+(?:in JSON )?at position \d+[\s\S]*$/, '')
    .replace(/, (?:\.\.\.)?"[\s\S]*is not valid JSON$/, '')
    .replace(/^(?:\.\.\.)?"[\s\S]*is not valid JSON$/, 'not valid JSON')
    // One line per problem: a quoted newline token is shown escaped.
    .replace(/[\u0000-\u001f]/g, (c) => JSON.stringify(c).slice(1, -1));
  const { line, column } = lineColumn(text, offset);
  return `${reason} at line ${line} column ${column}`;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Offset of the first syntax error, for messages only (V8 does not always say where). */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail();
      const c = text.charCodeAt(i);
      if (c === 34) return void i++;
      if (c < 0x20) fail();
      if (c === 92) {
        i++;
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) fail();
          i += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail();
      } else i++;
    }
  };
  const number = (): void => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail();
  };
  try {
    value();
    ws();
    return i < text.length ? i : undefined;
  } catch (offset) {
    if (typeof offset === 'number') return offset;
    return undefined; // e.g. nesting too deep for recursion: no position
  }
}
