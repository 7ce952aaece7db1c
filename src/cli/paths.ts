import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserInputError } from '../core/errors.js';
import { quote } from '../core/text.js';
import { listBundledPacks } from '../policy/load.js';

/** A path as a person would type it: relative to the working folder when under it. */
export function displayPath(absolute: string): string {
  const rel = relative(process.cwd(), absolute);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
}

/** A bundled pack, found next to the package (rules/ sits two levels above src/cli and dist/cli). */
export function bundledPolicyPath(name: string): string {
  return displayPath(fileURLToPath(new URL(`../../rules/${name}.yaml`, import.meta.url)));
}

export function defaultPolicyPath(): string {
  return bundledPolicyPath('baseline');
}

/** Whether `--policy`/`extends` text names a file (it has a "/" or a .yaml/.yml suffix) rather than a bundled pack. */
export function isPolicyPath(text: string): boolean {
  return text.includes('/') || text.endsWith('.yaml') || text.endsWith('.yml');
}

/**
 * `--policy` as `extends` reads it: a path is a path; a bare name is a
 * bundled pack (`baseline`, `strict`), found inside the installed package,
 * wherever the user runs Portolan from.
 */
export function resolvePolicyArg(text: string): string {
  if (text === '-' || isPolicyPath(text)) return text;
  const packs = listBundledPacks();
  if (!packs.includes(text)) {
    throw new UserInputError(`--policy: ${quote(text)} is not a bundled pack (${packs.join(', ')}); a policy file needs a "/" or a .yaml/.yml suffix, e.g. ./${text.slice(0, 40)}.yaml`);
  }
  return bundledPolicyPath(text);
}

/** The policy language reference shipped with the package, as a path the user can open. */
export function policyDocPath(): string {
  return displayPath(fileURLToPath(new URL('../../docs/policy.md', import.meta.url)));
}
