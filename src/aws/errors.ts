// AWS errors as Portolan records them: a code and a message, whatever threw.

import type { ErrorInfo } from '../core/types.js';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function errorInfo(e: unknown): ErrorInfo {
  // Duck-typed, not `instanceof Error`: errors from Node's network layer may come from another realm.
  if (e !== null && typeof e === 'object') {
    const { name, code, message } = e as { name?: unknown; code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : '';
    const id =
      typeof name === 'string' && name !== '' && name !== 'Error'
        ? name
        : typeof code === 'string' && code !== ''
          ? code
          : 'Error';
    return { code: id, message: text || id };
  }
  return { code: 'Error', message: String(e) };
}

/** An Error whose name is an AWS-style code, so errorInfo reads it back. */
export function codedError(code: string, message: string): Error {
  const e = new Error(message);
  e.name = code;
  return e;
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
