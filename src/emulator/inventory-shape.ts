// One account's inventory as the emulator serves it: the same shape checks as
// the inventory reader (src/core/inventory-shape.ts), without the need for
// version/collectedAt, and with the emulator's Lightsail fault rules, so a
// mistake in an organization file is one clear line instead of a puzzling answer.

import { validateInventoryShape } from '../core/inventory-shape.js';
import { validateFaults } from './faults.js';

/**
 * Problems of one account's inventory as `path: message` (`path` prefixes
 * every key; '' for none). With `accountId`, Lightsail ARNs must name it.
 */
export function validateAccountInventory(value: unknown, path: string, accountId?: string): string[] {
  return validateInventoryShape(value, {
    requireHeader: false,
    prefix: path,
    ...(accountId !== undefined ? { accountId } : {}),
    checkFaults: (faults, at) => validateFaults(faults, at, 'lightsail'),
  });
}
