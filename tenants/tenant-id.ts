/**
 * The one comparison of tenant ids. A tenant id (a GUID, or a domain name such as contoso.onmicrosoft.com)
 * names the same tenant whatever its case, so `T2` and `t2` are one tenant: listed twice in the tenants
 * file is refused, and a worker serving `t2` serves `T2`.
 */
export function tenantKey(tenantId: string): string {
  return tenantId.trim().toLowerCase();
}
