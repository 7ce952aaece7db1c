import { UserInputError } from '../core/errors.js';

/** `--now`: an ISO date or date-time; without a zone it is UTC (spec section 6). */
export function parseNow(text: string): Date {
  const t = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(t);
  if (!m) throw new UserInputError(`--now: "${text}" is not an ISO date or date-time (e.g. 2026-11-25 or 2026-11-25T12:00:00Z)`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  let iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}`;
  iso += zone ? (zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone) : 'Z';
  const date = new Date(iso);
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (Number.isNaN(date.getTime()) || check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) {
    throw new UserInputError(`--now: "${text}" is not a valid date`);
  }
  return date;
}
