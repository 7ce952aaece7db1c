// `portolan collect --out inventory.json`: read every instance's port states
// into an inventory file that `audit --input` can judge later, offline.

import { Command } from 'commander';
import type { Inventory } from '../../core/types.js';
import { addCollectorOptions, addOrganizationOptions, collectOptionsFrom, organizationOptionsFrom } from '../collector-options.js';
import { collectLive } from '../live.js';
import { textFlag } from '../flags.js';
import { interruption } from '../interrupt.js';
import { formatInventory } from '../inventory-file.js';
import { stderr, stdout } from '../output.js';
import { writeFileAtomic } from '../write-reports.js';

/** Exit status: 0 every region and instance read, 3 something could not be read (an instance deleted mid-scan is not a gap). */
export function collectExitCode(inventory: Inventory): 0 | 3 {
  const regionGap = inventory.regions.some((r) => r.status !== 'ok');
  const instanceGap = inventory.instances.some((i) => i.status === 'error');
  return regionGap || instanceGap || unreadAccounts(inventory).length > 0 ? 3 : 0;
}

/**
 * Accounts of an organization inventory that were not read: an error (say,
 * a role that could not be assumed), or "ok" with not one region read, as
 * the audit's coverage counts them.
 */
function unreadAccounts(inventory: Inventory): string[] {
  const withRegions = new Set(inventory.regions.map((r) => r.accountId));
  return (inventory.accounts ?? [])
    .filter((a) => a.status === 'error' || (a.status === 'ok' && !withRegions.has(a.id)))
    .map((a) => (a.status === 'error' ? `${a.id} ${a.error.code}` : `${a.id} NoRegions`));
}

export function collectSummary(inventory: Inventory, destination: string): string {
  const badRegions = inventory.regions.filter((r) => r.status !== 'ok');
  const failed = inventory.instances.filter((i) => i.status === 'error').length;
  const gone = inventory.instances.filter((i) => i.status === 'gone').length;
  const read = inventory.instances.length - failed - gone;
  const regionText =
    `${inventory.regions.length} regions` +
    (badRegions.length > 0 ? ` (unreadable: ${badRegions.map((r) => `${r.name} ${r.error.code}`).join(', ')})` : '');
  const instanceText =
    `${inventory.instances.length} instances (${read} read` + (failed > 0 ? `, ${failed} failed` : '') + (gone > 0 ? `, ${gone} gone` : '') + ')';
  const unread = unreadAccounts(inventory);
  const accountText =
    inventory.accounts === undefined ? '' : `${inventory.accounts.length} accounts` + (unread.length > 0 ? ` (unread: ${unread.join(', ')})` : '') + ', ';
  const verdict = collectExitCode(inventory) === 0 ? 'complete' : 'INCOMPLETE';
  return `collect: ${verdict}: ${accountText}${regionText}, ${instanceText} -> ${destination}`;
}

export function collectCommand(): Command {
  const cmd = new Command('collect')
    .description('Read every Lightsail instance firewall (port states) into an inventory file; exit 3 if anything could not be read')
    .requiredOption('--out <file>', 'inventory file to write, or "-" for stdout (required)');
  addCollectorOptions(cmd);
  addOrganizationOptions(cmd);
  cmd.action(async (opts: Record<string, unknown>) => {
    const out = textFlag(opts, 'out', '--out') ?? '-';
    const options = collectOptionsFrom(opts);
    const organization = organizationOptionsFrom(opts, options);
    const inventory = await collectLive(options, organization);
    interruption().throwIfRequested();
    if (out === '-') {
      const data = stdout();
      for (const chunk of formatInventory(inventory)) data.write(chunk);
    } else writeFileAtomic(out, formatInventory(inventory));
    if (opts['quiet'] !== true) stderr().line(collectSummary(inventory, out === '-' ? 'stdout' : out));
    process.exitCode = collectExitCode(inventory);
  });
  return cmd;
}
