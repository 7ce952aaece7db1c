// Untrusted values on their way into the emulator's messages: the same short,
// escaped excerpts as everywhere else in Portolan.

export { showValue as excerpt } from '../core/text.js';

/** Plain own-property object test: arrays and null are not objects here. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
