import { randomUUID } from 'node:crypto';
import { htmlReply, jsonReply, type ApiRequest, type Reply } from './http.js';

/**
 * Microsoft's error bodies, one builder per family: Entra ID (AADSTS), Graph (OData v4 `error`), and the
 * Reporting Web Service (OData v2 `odata.error`, a bare JSON 403, and IIS HTML pages). The texts are the
 * observed ones where the reference has them; the rest are marked [I] there.
 */

/** The throttling text of Graph, the V2 cmdlet and (here) the RWS (docs/sources.md#graph-throttling). */
export const THROTTLED_MESSAGE = 'Your recent queries have surpassed the permitted limit, please try again later.';

/** The RWS answer when the app has no role for the report (docs/sources.md#rws-errors). Note the space before the dot. */
export const NO_REPORT_PERMISSION = 'No permission to access the report for the organization .';

/** Graph's 401 while the Transport Data Platform service principal is missing (docs/sources.md#graph-auth). */
export const SERVICE_PRINCIPAL_MISSING =
  'Service principal-less Authentication failed: the service principal for App ID 8bd644d1-64a1-4d4b-ae52-2e0cbf64e373 was not found. Please create a service principal for this app in your tenant. Provisioning may take several hours to complete.';

/** An Entra ID token-endpoint error: `error`, `error_description` led by the AADSTS code, ids and time. */
export function aadError(status: number, error: string, code: number, text: string, nowMs: number): Reply {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date(nowMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return jsonReply(status, {
    error,
    error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}

/**
 * A Graph error: `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`,
 * as in a 400 Graph answered (elastic/integrations#18985; the date has no fraction and no zone there).
 */
export function graphError(status: number, code: string, message: string, req: ApiRequest, nowMs: number, headers: Record<string, string> = {}): Reply {
  const requestId = randomUUID();
  const clientRequestId = String(req.headers['client-request-id'] ?? randomUUID());
  return jsonReply(
    status,
    { error: { code, message, innerError: { date: new Date(nowMs).toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': clientRequestId } } },
    { 'request-id': requestId, 'client-request-id': clientRequestId, ...headers },
  );
}

/** Graph's 401 for a missing, malformed, expired or foreign token. */
export function graphUnauthorized(message: string, req: ApiRequest, nowMs: number): Reply {
  return graphError(401, 'InvalidAuthenticationToken', message, req, nowMs, {
    'www-authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
  });
}

/** Graph's 403 when the token carries no ExchangeMessageTrace.Read.All role [I: wording of other Graph workloads]. */
export function graphForbidden(req: ApiRequest, nowMs: number): Reply {
  return graphError(403, 'Forbidden', "Missing role permissions on the request. API requires one of 'ExchangeMessageTrace.Read.All'. Roles on the request ''.", req, nowMs);
}

/** Headers on every RWS answer (docs/sources.md#rws-endpoint). */
export function reportingHeaders(dataServiceVersion = '2.0;'): Record<string, string> {
  return { 'request-id': randomUUID(), 'x-rws-version': '2013-V1', dataserviceversion: dataServiceVersion, 'cache-control': 'no-cache, no-store' };
}

/** An RWS OData error: `{"odata.error":{"code":"","message":{"lang":"en-US","value":…}}}` (docs/sources.md#rws-errors). */
export function reportingError(status: number, message: string, headers: Record<string, string> = {}): Reply {
  return jsonReply(status, { 'odata.error': { code: '', message: { lang: 'en-US', value: message } } }, { ...reportingHeaders('1.0;'), ...headers });
}

/** The RWS 403 for an app without the report's role: a bare JSON object, not an OData error (docs/sources.md#rws-errors). */
export function reportingForbidden(): Reply {
  return jsonReply(403, { ErrorCode: '', Message: NO_REPORT_PERMISSION }, reportingHeaders());
}

/** The RWS 401: IIS's HTML page, not JSON (docs/sources.md#rws-errors). */
export function reportingUnauthorized(): Reply {
  const title = '401 - Unauthorized: Access is denied due to invalid credentials.';
  return htmlReply(
    401,
    `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\r\n<html xmlns="http://www.w3.org/1999/xhtml">\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>\r\n<title>${title}</title>\r\n</head>\r\n<body>\r\n<div id="header"><h1>Server Error</h1></div>\r\n<div id="content">\r\n <div class="content-container"><fieldset>\r\n  <h2>${title}</h2>\r\n  <h3>You do not have permission to view this directory or page using the credentials that you supplied.</h3>\r\n </fieldset></div>\r\n</div>\r\n</body>\r\n</html>\r\n`,
    { 'www-authenticate': 'Bearer client_id="00000002-0000-0ff1-ce00-000000000000", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="invalid_token"', 'x-powered-by': 'ASP.NET' },
  );
}

/** The "Sign in to Outlook" page the service sporadically answers with, status 200 (docs/sources.md#rws-errors). */
export function signInPage(): Reply {
  return htmlReply(
    200,
    '<!DOCTYPE html>\n<html dir="ltr" lang="en"><head><meta charset="utf-8"><title>Sign in to Outlook</title></head>\n<body><div id="signin"><h1>Sign in to Outlook</h1><form method="post" action="/owa/auth.owa"><input type="email" name="username"><input type="password" name="password"><button type="submit">Sign in</button></form></div></body></html>\n',
    { 'content-type': 'text/html; charset=utf-8' },
  );
}

/** HTTP.sys's 503 page, as IIS front ends answer when the application pool is down. */
export function serviceUnavailablePage(headers: Record<string, string> = {}): Reply {
  return htmlReply(
    503,
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n<HTML><HEAD><TITLE>Service Unavailable</TITLE>\r\n<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n<BODY><h2>Service Unavailable</h2>\r\n<hr><p>HTTP Error 503. The service is unavailable.</p>\r\n</BODY></HTML>\r\n',
    { 'content-type': 'text/html; charset=us-ascii', ...headers },
  );
}
