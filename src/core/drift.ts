// Drift between the two views Lightsail gives of one firewall: the ports
// GetInstances lists (`networking.ports`) and the states GetInstancePortStates
// returns. They should agree; when they do not, the audit says how.

import { showValue, truncate } from './text.js';

/** How much of one entry a message quotes: keys compare whole, messages show a bounded excerpt. */
const ENTRY_TEXT_LIMIT = 200;

/** A raw value in a key: scalars as text, lists and objects by kind, never walked (they may nest without end). */
function scalarText(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return showValue(v);
}

/** One open entry as both views can say it: protocol, raw range, sorted sources. */
function keyOf(entry: Record<string, unknown>): string {
  const raw = entry['protocol'];
  const protocol = scalarText(typeof raw === 'string' ? raw.toLowerCase() : raw);
  const sources = (field: string): string => {
    const v = entry[field];
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
    return list.map(scalarText).sort().join(',');
  };
  const all = [sources('cidrs'), sources('ipv6Cidrs'), sources('cidrListAliases')].filter((s) => s !== '').join(',');
  return `${protocol} ${scalarText(entry['fromPort'])}-${scalarText(entry['toPort'])} from ${all === '' ? 'nothing' : all}`;
}

function openEntries(list: readonly unknown[], listing: boolean): string[] {
  const out: string[] = [];
  for (const e of list) {
    if (typeof e !== 'object' || e === null) continue;
    const entry = e as Record<string, unknown>;
    if (listing ? entry['accessDirection'] === 'outbound' : entry['state'] === 'closed') continue;
    out.push(keyOf(entry));
  }
  return out;
}

/** What one side has that the other lacks (as a multiset). */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const k of b) left.set(k, (left.get(k) ?? 0) + 1);
  const out: string[] = [];
  for (const k of a) {
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    else out.push(k);
  }
  return out;
}

function few(items: readonly string[]): string {
  const shown = items.slice(0, 3).map((item) => truncate(item, ENTRY_TEXT_LIMIT));
  return items.length <= 3 ? shown.join('; ') : `${shown.join('; ')} and ${items.length - 3} more`;
}

/** How the listing and the port states disagree, in words; undefined when they agree. */
export function portDrift(listed: readonly unknown[], states: readonly unknown[]): string | undefined {
  const fromListing = openEntries(listed, true);
  const fromStates = openEntries(states, false);
  const onlyStates = minus(fromStates, fromListing);
  const onlyListing = minus(fromListing, fromStates);
  if (onlyStates.length === 0 && onlyListing.length === 0) return undefined;
  const parts: string[] = [];
  if (onlyStates.length > 0) parts.push(`open in the port states but not listed: ${few(onlyStates)}`);
  if (onlyListing.length > 0) parts.push(`listed but not open in the port states: ${few(onlyListing)}`);
  return `GetInstances (networking.ports) and GetInstancePortStates disagree: ${parts.join('; ')}; the audit judged the port states`;
}
