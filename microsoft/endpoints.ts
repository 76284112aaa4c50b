/**
 * The hosts a tenant's client secret and tokens may be sent to: Microsoft's own, per API, in the public
 * cloud and the national clouds (US Government L4 "GCC High", L5 "DoD", China operated by 21Vianet).
 * One rule for O365_LOGIN_URL, O365_GRAPH_URL and O365_REPORTING_URL and for the same URLs in the tenants
 * file; O365_ALLOW_ANY_ENDPOINT=true turns it off for the emulator and tests.
 */

/** Which base URL a host list is for. */
export type MicrosoftApi = 'login' | 'graph' | 'reporting';

export const MICROSOFT_HOSTS: Readonly<Record<MicrosoftApi, readonly string[]>> = {
  // Token service and Graph roots per cloud: https://learn.microsoft.com/en-us/graph/deployments
  // (login.partner.microsoftonline.cn is 21Vianet's earlier token host, still answering).
  login: ['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn'],
  graph: ['graph.microsoft.com', 'graph.microsoft.us', 'dod-graph.microsoft.us', 'microsoftgraph.chinacloudapi.cn'],
  // The Reporting Web Service is documented on reports.office365.com
  // (https://learn.microsoft.com/en-us/previous-versions/office/developer/o365-enterprise-developers/jj984335(v=office.15));
  // Microsoft support scripts use reports.office365.us for GCC High. Plus Exchange Online's own host in each
  // cloud, the ExchangeEnvironmentName hosts of
  // https://learn.microsoft.com/en-us/powershell/exchange/connect-to-exchange-online-powershell
  reporting: ['reports.office365.com', 'outlook.office365.com', 'reports.office365.us', 'outlook.office365.us', 'webmail.apps.mil', 'partner.outlook.cn'],
};

/** Why `url` may not be the base URL of `api` (one line, naming no credentials), or undefined when it may. */
export function endpointProblem(url: string, api: MicrosoftApi): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // the URL schema has already said it is not a URL
  }
  const hosts = MICROSOFT_HOSTS[api];
  const ok = parsed.protocol === 'https:' && parsed.port === '' && !parsed.username && !parsed.password && hosts.includes(parsed.hostname);
  if (ok) return undefined;
  // Origin only: a path, query or user part could hold something not meant for logs.
  const shown = `${parsed.protocol}//${parsed.host}`;
  return `expected https:// on a Microsoft ${api} host (${hosts.join(', ')}), got ${shown}; O365_ALLOW_ANY_ENDPOINT=true allows any URL, for the emulator and tests only`;
}
