// The one list of AWS operations Portolan may call. Everything that talks to
// AWS derives from it: the client guards (read-only by construction) and the
// least-privilege IAM policies, so the two can never drift apart.

export const READ_OPERATIONS = ['GetRegions', 'GetInstances', 'GetInstancePortStates'] as const;

export type ReadOperation = (typeof READ_OPERATIONS)[number];

/** Organizations calls of discovery (`accounts`, `--org`): listing only. */
export const ORGANIZATIONS_OPERATIONS = ['ListAccounts', 'ListRoots', 'ListOrganizationalUnitsForParent', 'ListAccountsForParent'] as const;

/** STS calls: assume each member role; GetCallerIdentity needs no permission. */
export const STS_OPERATIONS = ['AssumeRole', 'GetCallerIdentity'] as const;

export function isReadOperation(name: string): name is ReadOperation {
  return (READ_OPERATIONS as readonly string[]).includes(name);
}

export function isOrganizationsOperation(name: string): boolean {
  return (ORGANIZATIONS_OPERATIONS as readonly string[]).includes(name);
}

export function isStsOperation(name: string): boolean {
  return (STS_OPERATIONS as readonly string[]).includes(name);
}

export interface IamStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
}

export interface IamPolicyDocument {
  Version: '2012-10-17';
  Statement: IamStatement[];
}

/** The member role's name unless `--role-name` says otherwise. */
export const DEFAULT_ROLE_NAME = 'PortolanAudit';

/** Four accounts at a time: Lightsail throttles per account, so accounts in parallel add throughput without adding throttling. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 4;

/**
 * The least-privilege IAM policy for `collect` and `audit` (and, in an
 * organization, of each member account's audit role). Resource is "*"
 * because the Get* list/describe calls do not support resource-level
 * permissions (GetRegions and GetInstances act on the whole account).
 */
export function iamPolicyDocument(): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PortolanReadOnlyLightsailAudit',
        Effect: 'Allow',
        Action: READ_OPERATIONS.map((op) => `lightsail:${op}`),
        Resource: '*',
      },
    ],
  };
}

/**
 * The caller's policy for `--org` (the role CI assumes, in the management
 * account or a delegated administrator): list the organization, and assume
 * the audit role in every member account, nothing else.
 */
export function organizationCallerPolicy(roleName = DEFAULT_ROLE_NAME, partition = 'aws'): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PortolanDiscoverAccounts',
        Effect: 'Allow',
        Action: ORGANIZATIONS_OPERATIONS.map((op) => `organizations:${op}`),
        Resource: '*',
      },
      {
        Sid: 'PortolanAssumeMemberAuditRole',
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: `arn:${partition}:iam::*:role/${roleName}`,
      },
    ],
  };
}

/** The trust policy of each member account's audit role: only the caller role may assume it, and only with the external id. */
export function memberTrustPolicy(callerRoleArn: string, externalId: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: callerRoleArn },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
    ],
  };
}
