// Which instances a rule looks at, and which findings an exception covers:
// regions by exact name, instance names by glob, tags by value ("*": the key
// is present). Tag values compare as strings (spec section 6).

import { anyGlobMatch } from './glob.js';
import type { Scope, Tag } from './types.js';

/** What scopes and exceptions look at: an instance's name, region and tags. */
export interface ScopedInstance {
  name: string;
  region: string;
  tags?: readonly Tag[] | undefined;
}

function tagValue(tags: readonly Tag[] | undefined, key: string): string | undefined {
  if (!Array.isArray(tags)) return undefined;
  // Tags come from an inventory: whatever their shape, a value compares as text.
  for (const t of tags as readonly unknown[]) {
    if (typeof t !== 'object' || t === null) continue;
    const tag = t as { key?: unknown; value?: unknown };
    if (tag.key === key) return typeof tag.value === 'string' ? tag.value : tag.value === undefined || tag.value === null ? '' : JSON.stringify(tag.value);
  }
  return undefined;
}

export function tagsMatch(want: Readonly<Record<string, string>>, tags: readonly Tag[] | undefined): boolean {
  for (const [key, value] of Object.entries(want)) {
    const have = tagValue(tags, key);
    if (have === undefined) return false;
    if (value !== '*' && have !== value) return false;
  }
  return true;
}

/** Every key the scope gives must hold; no scope takes every instance. */
export function inScope(scope: Scope | undefined, inst: ScopedInstance): boolean {
  if (!scope) return true;
  if (scope.regions && !scope.regions.includes(inst.region)) return false;
  if (scope.instances && !anyGlobMatch(scope.instances, inst.name)) return false;
  if (scope.tags && !tagsMatch(scope.tags, inst.tags)) return false;
  return true;
}
