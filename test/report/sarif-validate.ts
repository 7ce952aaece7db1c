// Validators for produced SARIF, shared with the end-to-end tests:
// - the official OASIS SARIF 2.1.0 JSON schema (draft-04), and
// - GitHub code scanning's extra requirements (a file that misses one is
//   rejected whole; see shared reference sarif-github.md).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
// CommonJS packages with a default export: required, so no interop guesswork.
const Ajv04 = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

const here = dirname(fileURLToPath(import.meta.url));
const SCHEMA_PATH = join(here, '../../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

type Validate = ((data: unknown) => boolean) & { errors?: unknown };
let compiled: Validate | undefined;

function schemaValidator(): Validate {
  if (!compiled) {
    const ajv = new Ajv04({ strict: false, unicodeRegExp: false, allErrors: true });
    addFormats(ajv);
    const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object;
    compiled = ajv.compile(schema) as Validate;
  }
  return compiled;
}

/** Problems against the official SARIF 2.1.0 schema; empty when valid. */
export function sarifSchemaErrors(log: unknown): string[] {
  const validate = schemaValidator();
  if (validate(log)) return [];
  const errors = (validate.errors ?? []) as Array<{ instancePath?: string; message?: string }>;
  return errors.map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
}

const GITHUB_MAX_RESULTS = 25_000;
const GITHUB_MAX_DESCRIPTION = 1024;
const GITHUB_MAX_RULE_NAME = 255;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): unknown => (isObj(v) ? v['text'] : undefined);

/** Problems against GitHub code scanning's upload requirements; empty when acceptable. */
export function githubSarifErrors(log: unknown): string[] {
  const errors: string[] = [];
  const need = (ok: boolean, what: string): void => {
    if (!ok) errors.push(what);
  };
  const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

  if (!isObj(log)) return ['log is not an object'];
  need(nonEmpty(log['$schema']), '$schema missing');
  need(log['version'] === '2.1.0', 'version must be "2.1.0"');
  const runs = log['runs'];
  if (!Array.isArray(runs) || runs.length === 0) return [...errors, 'runs missing'];
  need(runs.length <= 20, 'more than 20 runs');

  runs.forEach((run: unknown, r) => {
    const at = `runs[${r}]`;
    if (!isObj(run)) return void errors.push(`${at} is not an object`);
    const driver = isObj(run['tool']) ? (run['tool'])['driver'] : undefined;
    if (!isObj(driver)) return void errors.push(`${at}.tool.driver missing`);
    need(nonEmpty(driver['name']), `${at}.tool.driver.name missing`);
    const rules = Array.isArray(driver['rules']) ? (driver['rules'] as unknown[]) : [];
    need(rules.length <= 25_000, `${at}: more than 25,000 rules`);
    const ruleIds = new Set<string>();
    rules.forEach((rule, i) => {
      const where = `${at}.tool.driver.rules[${i}]`;
      if (!isObj(rule)) return void errors.push(`${where} is not an object`);
      need(nonEmpty(rule['id']), `${where}.id missing`);
      if (nonEmpty(rule['id'])) ruleIds.add(rule['id']);
      for (const key of ['shortDescription', 'fullDescription', 'help'] as const) {
        const t = text(rule[key]);
        need(nonEmpty(t), `${where}.${key}.text missing or empty`);
        need(typeof t !== 'string' || t.length <= GITHUB_MAX_DESCRIPTION, `${where}.${key}.text longer than 1024`);
      }
      if (rule['name'] !== undefined) {
        need(nonEmpty(rule['name']) && (rule['name']).length <= GITHUB_MAX_RULE_NAME, `${where}.name empty or longer than 255`);
      }
      const props = isObj(rule['properties']) ? rule['properties'] : {};
      const sev = props['security-severity'];
      if (sev !== undefined) {
        const n = typeof sev === 'string' && /^\d+(\.\d+)?$/.test(sev) ? Number(sev) : NaN;
        need(Number.isFinite(n) && n >= 0 && n <= 10, `${where}: security-severity must be a numeric string 0-10`);
      }
      const tags = props['tags'];
      if (tags !== undefined) need(Array.isArray(tags) && tags.length <= 20, `${where}: more than 20 tags`);
    });

    const automation = run['automationDetails'];
    need(isObj(automation) && nonEmpty(automation['id']), `${at}.automationDetails.id missing`);

    const results = run['results'];
    if (!Array.isArray(results)) return void errors.push(`${at}.results must be an array (even when empty)`);
    need(results.length <= GITHUB_MAX_RESULTS, `${at}: more than 25,000 results`);
    results.forEach((result: unknown, i) => {
      const where = `${at}.results[${i}]`;
      if (!isObj(result)) return void errors.push(`${where} is not an object`);
      need(nonEmpty(text(result['message'])), `${where}.message.text missing`);
      const ruleId = result['ruleId'];
      need(nonEmpty(ruleId) && ruleIds.has(ruleId), `${where}.ruleId not among the driver's rules`);
      const locations = result['locations'];
      const first = Array.isArray(locations) ? (locations[0] as unknown) : undefined;
      const physical = isObj(first) ? first['physicalLocation'] : undefined;
      const artifact = isObj(physical) ? physical['artifactLocation'] : undefined;
      const region = isObj(physical) ? physical['region'] : undefined;
      const uri = isObj(artifact) ? artifact['uri'] : undefined;
      need(nonEmpty(uri), `${where}: no physicalLocation.artifactLocation.uri`);
      if (typeof uri === 'string') {
        need(!/\s/.test(uri), `${where}: uri has whitespace`);
        need(!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri), `${where}: uri has a scheme`);
      }
      need(isObj(region) && Number.isInteger(region['startLine']) && (region['startLine'] as number) >= 1, `${where}: no region.startLine`);
      need(Array.isArray(locations) && locations.length <= 1000, `${where}: more than 1000 locations`);
    });
  });

  // "Empty strings do not count as values": no empty string anywhere. The path
  // is only spelled out for a hit, so a 25,000-result log is walked quickly.
  const trail: Array<string | number> = [];
  const walk = (v: unknown): void => {
    if (v === '') {
      errors.push(`$${trail.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')} is an empty string`);
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i += 1) {
        trail.push(i);
        walk(v[i]);
        trail.pop();
      }
    } else if (isObj(v)) {
      for (const k in v) {
        trail.push(k);
        walk(v[k]);
        trail.pop();
      }
    }
  };
  walk(log);
  return errors;
}

/** Both checks at once, for tests that just need "GitHub would accept this". */
export function allSarifErrors(log: unknown): string[] {
  return [...sarifSchemaErrors(log), ...githubSarifErrors(log)];
}
