// Opaque paging tokens: valid only for the listing they came from (its scope,
// e.g. one account's region) and for the emulator run that issued them, so a
// client that mixes tokens up is told so, as AWS would.

import { randomBytes } from 'node:crypto';
import { isRecord } from './text.js';

export class PageTokens {
  // Tokens from one server run are meaningless to another: a per-run nonce.
  private readonly nonce = randomBytes(6).toString('hex');

  encode(scope: string, offset: number): string {
    return Buffer.from(JSON.stringify({ s: scope, o: offset, n: this.nonce })).toString('base64url');
  }

  /** The offset a token points at (0..total), or undefined when it is not a token of this listing. */
  decode(raw: unknown, scope: string, total: number): number | undefined {
    if (typeof raw !== 'string' || raw.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (!isRecord(parsed)) return undefined;
    const { s, o, n } = parsed;
    if (s !== scope || n !== this.nonce || typeof o !== 'number' || !Number.isInteger(o) || o < 0 || o > total) return undefined;
    return o;
  }
}
