// Drift between the two views Lightsail gives of one firewall: the ports
// GetInstances lists (`networking.ports`) and the states GetInstancePortStates
// returns. They should agree; when they do not, the audit says how.

/** One open entry as both views can say it: protocol, raw range, sorted sources. */
function keyOf(entry: Record<string, unknown>): string {
  const protocol = typeof entry['protocol'] === 'string' ? entry['protocol'].trim().toLowerCase() : String(entry['protocol']);
  const sources = (field: string): string => {
    const v = entry[field];
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v.map(String) : [];
    return list.map((s) => s.trim()).sort().join(',');
  };
  const all = [sources('cidrs'), sources('ipv6Cidrs'), sources('cidrListAliases')].filter((s) => s !== '').join(',');
  return `${protocol} ${String(entry['fromPort'])}-${String(entry['toPort'])} from ${all === '' ? 'nothing' : all}`;
}

function openEntries(list: readonly unknown[], listing: boolean): string[] {
  const out: string[] = [];
  for (const e of list) {
    if (typeof e !== 'object' || e === null) continue;
    const entry = e as Record<string, unknown>;
    if (listing ? entry['accessDirection'] !== undefined && entry['accessDirection'] !== 'inbound' : entry['state'] === 'closed') continue;
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
  return items.length <= 3 ? items.join('; ') : `${items.slice(0, 3).join('; ')} and ${items.length - 3} more`;
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
