// `--policy` as the commands take it: a bundled pack name, a file, or `-`
// for standard input.

import type { Policy } from '../core/types.js';
import { POLICY_MAX_BYTES, readStdinText } from '../io/files.js';
import { loadPolicy, loadPolicyText } from '../policy/load.js';
import { isAbsolute } from 'node:path';
import { defaultPolicyPath, displayPath, resolvePolicyArg } from './paths.js';

/** How the policy is named in reports and messages, before it is read. */
export function policyDisplay(arg: string | undefined): string {
  if (arg === undefined) return defaultPolicyPath();
  if (arg === '-') return 'stdin';
  const path = resolvePolicyArg(arg);
  return isAbsolute(path) ? displayPath(path) : path;
}

export async function loadPolicyArg(arg: string | undefined): Promise<Policy> {
  if (arg === '-') return loadPolicyText(await readStdinText('a policy', POLICY_MAX_BYTES), 'stdin');
  return loadPolicy(policyDisplay(arg));
}
