import type { MicrosoftConfig } from '../config/schema.js';
import type { DevoTransport } from '../devo/transport.js';
import { FailureType, type FailureTypeName } from '../contracts/failure-types.js';
import { tenantKey } from '../tenants/tenant-id.js';

/** Where one tenant's records go. */
export interface DevoRoute {
  readonly transport: DevoTransport;
  readonly tag: string;
}

/** A tenant this worker serves: its Microsoft settings, secret included, and its Devo route. */
export interface ServedTenant {
  readonly microsoft: MicrosoftConfig;
  readonly devo: DevoRoute;
}

/**
 * An activity named a tenant this worker does not serve. It happens when deployments for different
 * tenants share a namespace and task queue: Temporal hands each activity task to any worker polling the
 * queue. It becomes a retryable `TenantNotServed` failure (contracts/failure-types.ts says why).
 */
export class TenantNotServedError extends Error {
  override name = 'TenantNotServedError';
  /** The failure type it becomes (contracts/failure-types.ts says whether retries may heal it). */
  get failureType(): FailureTypeName {
    return FailureType.TenantNotServed;
  }
  constructor(
    readonly tenantId: string,
    served: readonly string[],
  ) {
    super(
      `tenant ${tenantId} is not served by this worker (it serves ${listed(served)}); nothing was sent or requested for it here. ` +
        `Add the tenant to this worker's O365_TENANTS_FILE, or give each deployment its own TEMPORAL_TASK_QUEUE (or namespace) so its activities reach only its own workers`,
    );
  }
}

/** The first few tenant ids: a worker may serve hundreds, and the message shows in the Temporal UI. */
function listed(ids: readonly string[]): string {
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;
}

/**
 * The one lookup every activity starts with: the tenants of the worker's own configuration (the one
 * O365_TENANT_ID, or every entry of O365_TENANTS_FILE), by tenant id whatever its case (tenantKey).
 * There is no default route: a tenant not listed here is refused, never sent to the worker's own Devo or
 * asked of its Microsoft endpoints.
 */
export class ServedTenants {
  private readonly byId: ReadonlyMap<string, ServedTenant>;

  constructor(tenants: Iterable<ServedTenant>) {
    this.byId = new Map([...tenants].map((tenant) => [tenantKey(tenant.microsoft.tenantId), tenant]));
  }

  /** The tenant's settings and route; throws TenantNotServedError for a tenant this worker does not serve. */
  get(tenantId: string): ServedTenant {
    const tenant = this.byId.get(tenantKey(tenantId));
    if (tenant === undefined) throw new TenantNotServedError(tenantId, [...this.byId.values()].map((t) => t.microsoft.tenantId));
    return tenant;
  }
}
