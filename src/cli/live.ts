// A live collection, one account or an organization. The AWS SDK is loaded
// only here, only when a live run needs it: an offline audit starts faster.

import type { CollectOptions } from '../aws/collector.js';
import type { OrganizationCollectOptions } from '../aws/organization-collector.js';
import type { Inventory } from '../core/types.js';

export async function collectLive(options: CollectOptions, organization: OrganizationCollectOptions | undefined): Promise<Inventory> {
  if (organization) {
    const { collectOrganization } = await import('../aws/organization-collector.js');
    return collectOrganization(organization);
  }
  const { collectInventory } = await import('../aws/collector.js');
  return collectInventory(options);
}
