// The inventory file reader, shared by the commands that take one (`audit
// --input` evaluates it, the emulator serves it). The file is read as a
// stream: each region, account and instance is parsed and checked on its own
// and handed over, so a file of any size costs little more than its largest
// instance. Port states stay raw: only their being objects is checked; their
// meaning is the engine's business. Any shape problem makes the whole file an
// error (exit 2), reported once the whole file has been read.

import { InventoryError } from '../core/errors.js';
import { JsonSyntaxError, JsonTopLevelSplitter } from '../core/json-split.js';
import { HEADER_KEYS, InventoryChecker, STREAMED_KEYS, type InventoryHeader, type InventorySink } from '../core/inventory-shape.js';
import type { Inventory, InventoryAccount, InventoryInstance, InventoryRegion } from '../core/types.js';
import { validateFaults, type FaultConfig } from '../emulator/faults.js';
import { INVENTORY_MAX_BYTES, readChunks } from '../io/files.js';

export interface InventoryFile {
  inventory: Inventory;
  /** The optional top-level `faults` section (emulator fault injection). */
  faults?: FaultConfig;
}

export type { InventoryHeader, InventorySink } from '../core/inventory-shape.js';

/**
 * Reads an inventory (a file, or `-` for standard input) into `sink`, piece
 * by piece. Throws InventoryError with every problem (`FILE: path: message`)
 * once the whole file is read; the sink may then have received part of it
 * and must be thrown away.
 */
export async function streamInventoryFile(path: string, sink: InventorySink): Promise<InventoryHeader> {
  const reading = new InventoryReading(path, sink);
  try {
    for await (const chunk of readChunks(path, 'inventory', INVENTORY_MAX_BYTES)) reading.write(chunk);
  } catch (e) {
    throw reading.failure(e);
  }
  return reading.end();
}

/** One inventory being read: the splitter, the checks, and the errors named after the file. */
class InventoryReading {
  private readonly checker: InventoryChecker;
  private readonly splitter: JsonTopLevelSplitter;

  constructor(
    private readonly file: string,
    sink: InventorySink,
  ) {
    this.checker = new InventoryChecker(sink, { checkFaults: validateFaults });
    this.splitter = new JsonTopLevelSplitter({ streamed: STREAMED_KEYS, wanted: HEADER_KEYS }, this.checker);
  }

  write(chunk: Uint8Array): void {
    this.splitter.write(chunk);
  }

  failure(e: unknown): unknown {
    return e instanceof JsonSyntaxError ? new InventoryError(`${this.file}: not valid JSON: ${e.message}`) : e;
  }

  end(): InventoryHeader {
    try {
      this.splitter.end();
    } catch (e) {
      throw this.failure(e);
    }
    const header = this.checker.finish();
    if (this.checker.problems.length > 0) throw new InventoryError(this.checker.problems.map((p) => `${this.file}: ${p}`));
    return header;
  }
}

/** A sink that keeps everything: the whole inventory in memory (the emulator, tests). */
function collectingSink(): { sink: InventorySink; accounts: InventoryAccount[]; regions: InventoryRegion[]; instances: InventoryInstance[] } {
  const accounts: InventoryAccount[] = [];
  const regions: InventoryRegion[] = [];
  const instances: InventoryInstance[] = [];
  return {
    accounts,
    regions,
    instances,
    sink: { account: (a) => accounts.push(a), region: (r) => regions.push(r), instance: (i) => instances.push(i) },
  };
}

function assemble(header: InventoryHeader, kept: ReturnType<typeof collectingSink>): InventoryFile {
  const inventory: Inventory = {
    version: 1,
    collectedAt: header.collectedAt,
    ...(header.organization ? { accounts: kept.accounts } : {}),
    regions: kept.regions,
    instances: kept.instances,
    ...(header.portSource !== undefined ? { portSource: header.portSource } : {}),
  };
  return header.faults === undefined ? { inventory } : { inventory, faults: header.faults as FaultConfig };
}

/** The whole inventory of a file (or `-`). */
export async function readInventoryFile(path: string): Promise<InventoryFile> {
  const kept = collectingSink();
  const header = await streamInventoryFile(path, kept.sink);
  return assemble(header, kept);
}

/** Parses and validates inventory JSON text; `file` names it in messages. */
export function parseInventoryText(text: string, file: string): InventoryFile {
  const kept = collectingSink();
  const reading = new InventoryReading(file, kept.sink);
  try {
    reading.write(Buffer.from(text, 'utf8'));
  } catch (e) {
    throw reading.failure(e);
  }
  return assemble(reading.end(), kept);
}

/**
 * The inventory as JSON text, piece by piece: one line per account, region
 * and instance (diffable, and a million instances never become one string).
 */
export function* formatInventory(inventory: Inventory): Generator<string> {
  const { accounts, regions, instances, ...header } = inventory;
  yield '{\n';
  for (const [key, value] of Object.entries(header)) yield `  ${JSON.stringify(key)}: ${JSON.stringify(value)},\n`;
  if (accounts) yield* list('accounts', accounts, ',');
  yield* list('regions', regions, ',');
  yield* list('instances', instances, '');
  yield '}\n';
}

function* list(key: string, items: readonly unknown[], after: string): Generator<string> {
  if (items.length === 0) {
    yield `  ${JSON.stringify(key)}: []${after}\n`;
    return;
  }
  yield `  ${JSON.stringify(key)}: [\n`;
  for (let i = 0; i < items.length; i++) yield `    ${JSON.stringify(items[i])}${i < items.length - 1 ? ',' : ''}\n`;
  yield `  ]${after}\n`;
}
