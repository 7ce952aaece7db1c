import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { portInfoShorthand, remediationCommand, shellQuote } from '../../src/core/remediation.js';
import { finding } from '../report/fixtures.js';

const base = { ruleId: 'r', severity: 'high' as const, region: 'us-east-1', message: 'm' };

describe('remediationCommand', () => {
  test.each([
    [{ name: 'web-1', protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['0.0.0.0/0'] }, "aws lightsail close-instance-public-ports --region us-east-1 --instance-name web-1 --port-info fromPort=22,toPort=22,protocol=tcp,cidrs=0.0.0.0/0"],
    [{ name: 'db', protocol: 'tcp', fromPort: 5432, toPort: 5432, cidrs: ['1.2.3.0/24', '5.6.7.0/24'], ipv6Cidrs: ['::/0'] }, "aws lightsail close-instance-public-ports --region us-east-1 --instance-name db --port-info 'fromPort=5432,toPort=5432,protocol=tcp,cidrs=[1.2.3.0/24,5.6.7.0/24],ipv6Cidrs=::/0'"],
    [{ name: 'all', protocol: 'all', fromPort: -1, toPort: -1, cidrs: ['0.0.0.0/0'] }, 'aws lightsail close-instance-public-ports --region us-east-1 --instance-name all --port-info fromPort=0,toPort=65535,protocol=all,cidrs=0.0.0.0/0'],
    [{ name: 'ping', protocol: 'icmp', fromPort: 8, toPort: -1, cidrs: ['0.0.0.0/0'] }, 'aws lightsail close-instance-public-ports --region us-east-1 --instance-name ping --port-info fromPort=8,toPort=-1,protocol=icmp,cidrs=0.0.0.0/0'],
    [{ name: "it's; rm -rf ~", protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['0.0.0.0/0'] }, "aws lightsail close-instance-public-ports --region us-east-1 --instance-name 'it'\\''s; rm -rf ~' --port-info fromPort=22,toPort=22,protocol=tcp,cidrs=0.0.0.0/0"],
  ])('%j', (input, command) => {
    expect(remediationCommand(finding({ ...base, ...input }))).toBe(command);
  });

  test('closes exactly the state: the port-info names its range, protocol and sources', () => {
    expect(portInfoShorthand(finding({ ...base, name: 'x', protocol: 'udp', fromPort: 1000, toPort: 2000, aliases: ['lightsail-connect'] }))).toBe(
      'fromPort=1000,toPort=2000,protocol=udp,cidrListAliases=lightsail-connect',
    );
  });

  test('property: whatever a name holds, a POSIX shell reads the quoted word back as that name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.includes('\u0000')), (name) => {
        const echoed = execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(name)}`], { encoding: 'utf8' });
        expect(echoed).toBe(name);
      }),
      { numRuns: 60 },
    );
  });
});
