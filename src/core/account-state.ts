// Which organization accounts an audit covers, by the state discovery gave
// them. Only states AWS documents as not (or no longer, or not yet) usable are
// skipped, and our own EXCLUDED (--exclude-accounts); anything else, an
// unexpected or missing state included, is audited: a gap if its role cannot
// be assumed, never an account quietly left out (fail closed).

const SKIPPED_STATES: ReadonlySet<string> = new Set(['SUSPENDED', 'PENDING_CLOSURE', 'CLOSED', 'PENDING_ACTIVATION', 'EXCLUDED']);

export function isAudited(state: string): boolean {
  return !SKIPPED_STATES.has(state);
}
