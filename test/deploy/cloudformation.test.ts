// The CloudFormation templates in deploy/, checked offline: parsed with
// CloudFormation's short-form tags, structure and references checked, and the
// IAM policies a stack would create compared with the ones the code builds
// (src/aws/operations.ts), so the templates and the code cannot drift apart.
// The README's policies and rollout commands are held to the same: the JSON
// against the code, the commands run with the AWS CLI against a recorder on
// 127.0.0.1. cfn-lint runs too where it happens to be installed.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ROLE_NAME, iamPolicyDocument, memberTrustPolicy, organizationCallerPolicy } from '../../src/aws/operations.js';
import { REPO } from '../cli/run-cli.js';
import {
  CALLER_TEMPLATE,
  checkTemplate,
  evaluateTemplate,
  MEMBER_TEMPLATE,
  onlyResource,
  parseTemplate,
  readTemplate,
  type Json,
} from './cfn.js';

const memberText = readFileSync(MEMBER_TEMPLATE, 'utf8');
const callerText = readFileSync(CALLER_TEMPLATE, 'utf8');
const CALLER_ARN = 'arn:aws:iam::111111111111:role/PortolanOrgAudit';
const EXTERNAL_ID = 'c0ffee-external-id';

const inlinePolicies = (role: Record<string, Json>): Json[] => (role['Policies'] as Array<{ PolicyDocument: Json }>).map((p) => p.PolicyDocument);

describe('parsing CloudFormation YAML', () => {
  test('short-form tags become the long forms CloudFormation reads', () => {
    const { template, problems } = parseTemplate(
      [
        'A: !Ref Name',
        'B: !Sub "arn:${AWS::Partition}:iam::*:role/${Name}"',
        'C: !GetAtt Role.Arn',
        'D: !If [Cond, !Ref X, !Sub ["${v}", { v: !Ref Y }]]',
        'E: !Equals [!Ref P, ""]',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(template).toEqual({
      A: { Ref: 'Name' },
      B: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/${Name}' },
      C: { 'Fn::GetAtt': ['Role', 'Arn'] },
      D: { 'Fn::If': ['Cond', { Ref: 'X' }, { 'Fn::Sub': ['${v}', { v: { Ref: 'Y' } }] }] },
      E: { 'Fn::Equals': [{ Ref: 'P' }, ''] },
    });
  });

  test('an unknown tag, a tag on the wrong kind of node and a duplicate key are problems, not silently dropped', () => {
    expect(parseTemplate('A: !Reff Name').problems.join()).toMatch(/Unresolved tag: !Reff/);
    expect(parseTemplate('A: !Ref [Name]').problems.join()).toMatch(/Unresolved tag: !Ref/);
    expect(parseTemplate('A: 1\nA: 2').problems.join()).toMatch(/unique/);
  });
});

describe.each([
  ['portolan-member-role.yaml', memberText],
  ['portolan-org-caller-role.yaml', callerText],
])('%s: structure', (_name, text) => {
  test('parses cleanly and passes every structural and reference check', () => {
    const { template, problems } = parseTemplate(text);
    expect(problems).toEqual([]);
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(checkTemplate(template)).toEqual([]);
  });

  test('every parameter without a default is required; defaults meet their own constraints', () => {
    const { template } = parseTemplate(text);
    // checkTemplate checks defaults; here: the template evaluates with its defaults plus the required ones.
    const required = Object.entries(template.Parameters ?? {})
      .filter(([, spec]) => !('Default' in spec))
      .map(([name]) => name)
      .sort();
    expect(required.length).toBeGreaterThan(0);
    const values: Record<string, string> = { CallerRoleArn: CALLER_ARN, ExternalId: EXTERNAL_ID, GitHubRepository: 'OWNER/REPO' };
    expect(() => evaluateTemplate(template, { parameters: Object.fromEntries(required.map((name) => [name, values[name] ?? ''])) })).not.toThrow();
  });
});

describe('the checks can fail', () => {
  const broken = (text: string, from: string | RegExp, to: string): string[] => {
    const changed = text.replace(from, to);
    expect(changed).not.toBe(text);
    const { template, problems } = parseTemplate(changed);
    return [...problems, ...checkTemplate(template)];
  };

  test.each([
    ['a Ref to nothing', memberText, '!Ref CallerRoleArn', '!Ref CallerRole', /Ref to "CallerRole", which is no parameter/],
    ['an unused parameter', memberText, '!Ref ExternalId', 'portolan', /Parameters\.ExternalId is never used/],
    ['a GetAtt of a missing attribute', memberText, '!GetAtt AuditRole.Arn', '!GetAtt AuditRole.Name', /has no attribute "Name"/],
    ['a GetAtt of a missing resource', memberText, '!GetAtt AuditRole.Arn', '!GetAtt Role.Arn', /Fn::GetAtt of "Role", which is no resource/],
    ['a Sub variable that names nothing', callerText, '${MemberRoleName}', '${MemberRole}', /Ref to "MemberRole"/],
    ['an If on an undefined condition', callerText, '!If [CreateOidcProvider, !Ref GitHubOidcProvider, !Ref OidcProviderArn]', '!If [Create, !Ref GitHubOidcProvider, !Ref OidcProviderArn]', /names no condition/],
    ['a missing required property', memberText, /^ {6}AssumeRolePolicyDocument:/m, '      AssumeRolePolicy:', /required property AssumeRolePolicyDocument is missing/],
    ['a misspelt resource type', memberText, 'AWS::IAM::Role', 'AWS::IAM::Roles', /Type "AWS::IAM::Roles" is not a resource type/],
    ['a session length IAM refuses', memberText, 'MaxSessionDuration: 3600', 'MaxSessionDuration: 600', /MaxSessionDuration 600 is outside/],
    ['a wrong format version', memberText, "'2010-09-09'", "'2010-09-10'", /AWSTemplateFormatVersion/],
    ['a default its own pattern refuses', memberText, 'Default: PortolanAudit', 'Default: Portolan Audit', /Default "Portolan Audit" does not match/],
    ['an unknown tag', memberText, '!Ref RoleName', '!Reference RoleName', /Unresolved tag: !Reference/],
  ])('%s', (_label, text, from, to, expected) => {
    expect(broken(text, from, to).join('\n')).toMatch(expected);
  });
});

describe('portolan-member-role.yaml: least privilege, the same as the code', () => {
  const { template } = readTemplate(MEMBER_TEMPLATE);
  const stack = evaluateTemplate(template, { parameters: { CallerRoleArn: CALLER_ARN, ExternalId: EXTERNAL_ID } });
  const role = onlyResource(stack, 'AWS::IAM::Role');

  test('one resource, the role, named PortolanAudit by default (what --role-name defaults to), sessions of at most an hour', () => {
    expect(Object.values(stack.resources).map((r) => r.Type)).toEqual(['AWS::IAM::Role']);
    expect(role['RoleName']).toBe(DEFAULT_ROLE_NAME);
    expect(role['MaxSessionDuration']).toBe(3600);
    expect(role['ManagedPolicyArns']).toBeUndefined();
    expect(role['PermissionsBoundary']).toBeUndefined();
  });

  test('its permissions are exactly iamPolicyDocument(): the three Lightsail reads on "*"', () => {
    expect(inlinePolicies(role)).toEqual([iamPolicyDocument()]);
  });

  test('its trust policy is exactly memberTrustPolicy(caller role ARN, external id): one principal, the ExternalId condition', () => {
    expect(role['AssumeRolePolicyDocument']).toEqual(memberTrustPolicy(CALLER_ARN, EXTERNAL_ID));
    const other = evaluateTemplate(template, { parameters: { CallerRoleArn: 'arn:aws-cn:iam::222222222222:role/Other', ExternalId: 'x2', RoleName: 'AuditRole' } });
    const otherRole = onlyResource(other, 'AWS::IAM::Role');
    expect(otherRole['AssumeRolePolicyDocument']).toEqual(memberTrustPolicy('arn:aws-cn:iam::222222222222:role/Other', 'x2'));
    expect(otherRole['RoleName']).toBe('AuditRole');
  });

  test('the external id is NoEcho and has no default; the caller must be one role ARN, no wildcard', () => {
    const params = template.Parameters!;
    expect(params['ExternalId']?.['NoEcho']).toBe(true);
    expect('Default' in params['ExternalId']!).toBe(false);
    expect('Default' in params['CallerRoleArn']!).toBe(false);
    expect(() => evaluateTemplate(template, { parameters: { CallerRoleArn: 'arn:aws:iam::111111111111:root', ExternalId: EXTERNAL_ID } })).toThrow(/CallerRoleArn/);
    expect(() => evaluateTemplate(template, { parameters: { CallerRoleArn: '*', ExternalId: EXTERNAL_ID } })).toThrow(/CallerRoleArn/);
    expect(() => evaluateTemplate(template, { parameters: { CallerRoleArn: CALLER_ARN, ExternalId: 'x' } })).toThrow(/ExternalId/);
  });

  test('outputs the role ARN', () => {
    expect(stack.outputs['RoleArn']).toBe(`arn:aws:iam::111111111111:role/${DEFAULT_ROLE_NAME}`);
  });
});

describe('portolan-org-caller-role.yaml: least privilege, the same as the code', () => {
  const { template } = readTemplate(CALLER_TEMPLATE);

  test.each([
    [{}, DEFAULT_ROLE_NAME, 'aws'],
    [{ MemberRoleName: 'AuditRole' }, 'AuditRole', 'aws'],
    [{}, DEFAULT_ROLE_NAME, 'aws-cn'],
  ])('its permissions are exactly organizationCallerPolicy() (parameters %j: role %s, partition %s)', (parameters, roleName, partition) => {
    const stack = evaluateTemplate(template, { parameters: { GitHubRepository: 'OWNER/REPO', ...parameters }, partition });
    expect(inlinePolicies(onlyResource(stack, 'AWS::IAM::Role'))).toEqual([organizationCallerPolicy(roleName, partition)]);
  });

  test('trusts GitHub OIDC for one repository and branch, exactly (StringEquals, no wildcard), through a new or an existing provider', () => {
    const created = evaluateTemplate(template, { parameters: { GitHubRepository: 'octo/infra', GitHubBranch: 'audit' } });
    const provider = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';
    const trust = (principal: string): Json => ({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: principal },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repo:octo/infra:ref:refs/heads/audit' } },
        },
      ],
    });
    expect(onlyResource(created, 'AWS::IAM::Role')['AssumeRolePolicyDocument']).toEqual(trust(provider));
    expect(onlyResource(created, 'AWS::IAM::OIDCProvider')).toEqual({ Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] });

    const existing = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';
    const reused = evaluateTemplate(template, { parameters: { GitHubRepository: 'octo/infra', GitHubBranch: 'audit', OidcProviderArn: existing } });
    expect(Object.values(reused.resources).map((r) => r.Type)).toEqual(['AWS::IAM::Role']);
    expect(onlyResource(reused, 'AWS::IAM::Role')['AssumeRolePolicyDocument']).toEqual(trust(existing));
    expect(reused.outputs['OidcProviderArn']).toBe(existing);
  });

  test('a wildcard repository or branch is refused by the parameters themselves', () => {
    const wildcards: Array<Record<string, string>> = [{ GitHubRepository: 'octo/*' }, { GitHubRepository: '*' }, { GitHubRepository: 'octo/infra', GitHubBranch: '*' }];
    for (const parameters of wildcards) {
      expect(() => evaluateTemplate(template, { parameters })).toThrow(/does not match/);
    }
  });

  test('sessions long enough for a scan job, and it outputs the ARN the member role trusts', () => {
    const stack = evaluateTemplate(template, { parameters: { GitHubRepository: 'OWNER/REPO' } });
    const role = onlyResource(stack, 'AWS::IAM::Role');
    expect(role['MaxSessionDuration']).toBe('10800');
    expect(stack.outputs['RoleArn']).toBe(CALLER_ARN);
  });
});

// ------------------------------------------------------------------ README

function deploySection(): string {
  const readme = readFileSync(`${REPO}README.md`, 'utf8');
  const start = readme.indexOf('<!-- organization-deploy:start -->');
  const end = readme.indexOf('<!-- organization-deploy:end -->');
  expect(start).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  return readme.slice(start, end);
}

const blocks = (section: string, lang: string): string[] => [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

describe('README: the roles as documented are the roles the code and the templates make', () => {
  test('the four policies shown: member trust, member permissions, caller trust, caller permissions', () => {
    const json = blocks(deploySection(), 'json').map((b) => JSON.parse(b) as Json);
    expect(json).toHaveLength(4);
    expect(json[0]).toEqual(memberTrustPolicy(CALLER_ARN, 'EXTERNAL-ID'));
    expect(json[1]).toEqual(iamPolicyDocument());
    const caller = evaluateTemplate(readTemplate(CALLER_TEMPLATE).template, { parameters: { GitHubRepository: 'OWNER/REPO' } });
    expect(json[2]).toEqual(onlyResource(caller, 'AWS::IAM::Role')['AssumeRolePolicyDocument']);
    expect(json[3]).toEqual(organizationCallerPolicy());
  });
});

// cfn-lint is a Python tool: used where it is installed, never required.
const cfnLint = ((): string | undefined => {
  try {
    execFileSync('cfn-lint', ['--version'], { stdio: 'ignore' });
    return 'cfn-lint';
  } catch {
    return undefined;
  }
})();
if (!cfnLint) console.log('cfn-lint is not installed: the cfn-lint check is skipped (the offline checks above still ran)');

(cfnLint ? describe : describe.skip)('cfn-lint, where installed', () => {
  test('both templates pass cfn-lint, and it catches a broken copy (one run: cfn-lint is slow to start)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portolan-cfn-'));
    try {
      const broken = join(dir, 'broken.yaml');
      writeFileSync(broken, memberText.replace('MaxSessionDuration: 3600', 'MaxSessionDuration: 100'));
      const out = await new Promise<string>((resolve) => {
        execFile('cfn-lint', ['--format', 'parseable', '--', MEMBER_TEMPLATE, CALLER_TEMPLATE, broken], { cwd: REPO }, (_error, stdout, stderr) => {
          resolve(stdout + stderr);
        });
      });
      const lines = out.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/broken\.yaml:\d+:\d+:\d+:\d+:E3034:/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The rollout commands, run as written with the real AWS CLI against a
// recorder that answers like CloudFormation (awsQuery, XML) on 127.0.0.1.
const AWS = '/usr/bin/aws';
const haveCli = existsSync(AWS);
if (!haveCli) console.log(`${AWS} is not installed: the README rollout commands are not run (install Debian's awscli)`);

(haveCli ? describe : describe.skip)('README rollout commands, through the AWS CLI', () => {
  let server: Server;
  const requests: Array<Record<string, string>> = [];
  const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

  const answer = (action: string): string => {
    const body =
      action === 'DescribeStacks'
        ? `<Stacks><member><StackName>portolan-org-caller</StackName><StackId>arn:aws:cloudformation:us-east-1:111111111111:stack/portolan-org-caller/1</StackId>` +
          `<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus>` +
          `<Outputs><member><OutputKey>RoleArn</OutputKey><OutputValue>${CALLER_ARN}</OutputValue></member></Outputs></member></Stacks>`
        : action === 'CreateStack'
          ? '<StackId>arn:aws:cloudformation:us-east-1:111111111111:stack/x/1</StackId>'
          : action === 'CreateStackSet'
            ? '<StackSetId>portolan-member-role:1</StackSetId>'
            : '<OperationId>op-1</OperationId>';
    return `<${action}Response xmlns="${XMLNS}"><${action}Result>${body}</${action}Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></${action}Response>`;
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const form = Object.fromEntries(new URLSearchParams(body));
        requests.push(form);
        res.writeHead(200, { 'content-type': 'text/xml' }).end(answer(form['Action'] ?? ''));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => {
        resolve();
      }));
  });

  const parameters = (form: Record<string, string>): Record<string, string> => {
    const out: Record<string, string> = {};
    for (let i = 1; `Parameters.member.${i}.ParameterKey` in form; i++) out[form[`Parameters.member.${i}.ParameterKey`]!] = form[`Parameters.member.${i}.ParameterValue`]!;
    return out;
  };

  test('they send what they say: the caller stack, then a service-managed, auto-deploying StackSet over the OUs, one region, and the management account stack', async () => {
    const script = blocks(deploySection(), 'sh');
    expect(script).toHaveLength(1);
    const { port } = server.address() as AddressInfo;
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_PAGER: '',
      AWS_MAX_ATTEMPTS: '1',
    };
    const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script[0]!], { cwd: REPO, env }, (error, _stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr });
      });
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const calls = requests.filter((r) => r['Action'] !== 'DescribeStacks');
    expect(calls.map((r) => r['Action'])).toEqual(['CreateStack', 'CreateStackSet', 'CreateStackInstances', 'CreateStack']);
    const [callerStack, stackSet, instances, managementStack] = calls as [Record<string, string>, Record<string, string>, Record<string, string>, Record<string, string>];

    expect(callerStack['TemplateBody']).toBe(callerText);
    expect(callerStack['Capabilities.member.1']).toBe('CAPABILITY_NAMED_IAM');
    expect(parameters(callerStack)).toEqual({ GitHubRepository: 'OWNER/REPO', GitHubBranch: 'main' });

    expect(stackSet['StackSetName']).toBe('portolan-member-role');
    expect(stackSet['TemplateBody']).toBe(memberText);
    expect(stackSet['PermissionModel']).toBe('SERVICE_MANAGED');
    expect(stackSet['AutoDeployment.Enabled']).toBe('true');
    expect(stackSet['AutoDeployment.RetainStacksOnAccountRemoval']).toBe('false');
    expect(stackSet['Capabilities.member.1']).toBe('CAPABILITY_NAMED_IAM');
    const memberParameters = parameters(stackSet);
    expect(memberParameters['CallerRoleArn']).toBe(CALLER_ARN); // read back from the caller stack's output
    expect(memberParameters['ExternalId']).toMatch(/^[0-9a-f]{48}$/);

    expect(instances['StackSetName']).toBe('portolan-member-role');
    expect(instances['DeploymentTargets.OrganizationalUnitIds.member.1']).toBe('r-abcd');
    expect(instances['Regions.member.1']).toBe('us-east-1');
    expect(instances['Regions.member.2']).toBeUndefined();

    expect(managementStack['TemplateBody']).toBe(memberText);
    expect(parameters(managementStack)).toEqual(memberParameters);

    // The parameters sent are ones the templates declare, and values they accept.
    expect(() => evaluateTemplate(readTemplate(CALLER_TEMPLATE).template, { parameters: parameters(callerStack) })).not.toThrow();
    const member = evaluateTemplate(readTemplate(MEMBER_TEMPLATE).template, { parameters: memberParameters });
    expect(onlyResource(member, 'AWS::IAM::Role')['AssumeRolePolicyDocument']).toEqual(memberTrustPolicy(CALLER_ARN, memberParameters['ExternalId']!));
  });
});
