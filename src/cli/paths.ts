import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

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
