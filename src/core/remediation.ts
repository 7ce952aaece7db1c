// The command that fixes one finding, ready to paste: close exactly the port
// state that was found, for the addresses it admits. Never
// put-instance-public-ports, which replaces every port of the instance.
// Every value is quoted for a POSIX shell: instance names come from the cloud.

import type { Finding } from './types.js';

/** Safe unquoted in sh: letters, digits and a few punctuation marks that never expand. */
const PLAIN = /^[A-Za-z0-9_.,:/=@%+-]+$/;

export function shellQuote(value: string): string {
  if (value !== '' && PLAIN.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** An AWS CLI shorthand list: `a` or `[a,b]`. */
function shorthandList(values: readonly string[]): string {
  return values.length === 1 ? (values[0] as string) : `[${values.join(',')}]`;
}

/** `fromPort=22,toPort=22,protocol=tcp,cidrs=0.0.0.0/0`: the one state, as CloseInstancePublicPorts takes it. */
export function portInfoShorthand(f: Finding): string {
  const ps = f.portState;
  const protocol = ps.protocol;
  const all = protocol === 'all';
  const from = all ? 0 : ps.fromPort;
  const to = all ? 65535 : ps.toPort;
  const parts = [`fromPort=${from ?? 0}`, `toPort=${to ?? 65535}`, `protocol=${protocol}`];
  if (ps.cidrs.length > 0) parts.push(`cidrs=${shorthandList(ps.cidrs)}`);
  if (ps.ipv6Cidrs.length > 0) parts.push(`ipv6Cidrs=${shorthandList(ps.ipv6Cidrs)}`);
  if (ps.cidrs.length === 0 && ps.ipv6Cidrs.length === 0 && ps.cidrListAliases.length > 0) {
    parts.push(`cidrListAliases=${shorthandList(ps.cidrListAliases)}`);
  }
  return parts.join(',');
}

/** The part of the command naming the instance, kept for the last instance: findings of one instance come together. */
let lastName: string | undefined;
let lastRegion: string | undefined;
let lastHead = '';

/** `aws lightsail close-instance-public-ports --region R --instance-name N --port-info ...`, every value quoted. */
export function remediationCommand(f: Finding): string {
  if (f.instance.name !== lastName || f.instance.region !== lastRegion) {
    lastName = f.instance.name;
    lastRegion = f.instance.region;
    lastHead = `aws lightsail close-instance-public-ports --region ${shellQuote(f.instance.region)} --instance-name ${shellQuote(f.instance.name)}`;
  }
  return `${lastHead} --port-info ${shellQuote(portInfoShorthand(f))}`;
}
