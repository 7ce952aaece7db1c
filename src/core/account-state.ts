// What an organization account is: its id, and whether an audit covers it
// by the state discovery gave it. Only states AWS documents as not (or no longer, or not yet) usable are
// skipped, and our own EXCLUDED (--exclude-accounts); anything else, an
// unexpected or missing state included, is audited: a gap if its role cannot
// be assumed, never an account quietly left out (fail closed).

/** An AWS account id: 12 digits. Ids name report files and SARIF categories, so nothing else gets through. */
export function isAccountId(id: string): boolean {
  return /^\d{12}$/.test(id);
}

const SKIPPED_STATES: ReadonlySet<string> = new Set(['SUSPENDED', 'PENDING_CLOSURE', 'CLOSED', 'PENDING_ACTIVATION', 'EXCLUDED']);

export function isAudited(state: string): boolean {
  return !SKIPPED_STATES.has(state);
}
