// The one list of Lightsail operations Portolan may call. Everything that talks
// to AWS derives from it: the client guard (read-only by construction) and the
// least-privilege IAM policy, so the two can never drift apart.

export const READ_OPERATIONS = ['GetRegions', 'GetInstances', 'GetInstancePortStates'] as const;

export type ReadOperation = (typeof READ_OPERATIONS)[number];

export function isReadOperation(name: string): name is ReadOperation {
  return (READ_OPERATIONS as readonly string[]).includes(name);
}

export interface IamPolicyDocument {
  Version: '2012-10-17';
  Statement: {
    Sid: string;
    Effect: 'Allow';
    Action: string[];
    Resource: '*';
  }[];
}

/**
 * The least-privilege IAM policy for `collect` and `audit`. Resource is "*"
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
