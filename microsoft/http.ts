import { got, type Got } from 'got';
import { BodyTooLargeError, requestText, type TextResponse } from '../http/bounded-body.js';
import {
  MalformedResponseError,
  MicrosoftUnavailableError,
  PermissionMissingError,
  RequestRejectedError,
  ServicePrincipalMissingError,
  ThrottledError,
  TokenRejectedError,
  UnexpectedHtmlError,
} from './errors.js';
import { parseRetryAfter } from './retry-after.js';
import { safeText } from './safe-text.js';

/**
 * Largest page body read, after decoding. A page of 5,000 rows (the most either API returns) is about
 * 2 MB as Graph sends it and a few MB in the Reporting Web Service's verbose shape; 16 MiB leaves room for
 * pages of unusually large rows, while bounding what one pull may hold and parse (a 204 KB gzip body once
 * inflated to 200 MB). A larger body fails the pull as a malformed response.
 */
export const MAX_PAGE_BODY_BYTES = 16 * 1024 * 1024;

/**
 * The got instance every Microsoft call goes through. Retries are off on purpose: the Temporal activity
 * retry policy is the only retry loop, so every attempt and backoff shows in the UI. HTTP errors are not
 * thrown by got but classified below, from the status and the body Microsoft actually sends.
 */
export const microsoftHttp: Got = got.extend({
  retry: { limit: 0 },
  throwHttpErrors: false,
  followRedirect: false,
  // Explicit, so NODE_TLS_REJECT_UNAUTHORIZED=0 in a worker's environment cannot turn certificate checks off.
  https: { rejectUnauthorized: true },
  timeout: { connect: 10_000, response: 120_000, request: 180_000 },
  headers: { 'user-agent': 'o365-message-trace-collector' },
});

/** Describes a request without its query string, which may carry addresses in filters. */
export function describe(method: string, url: string | URL): string {
  const u = new URL(url);
  return `${method} ${u.origin}${u.pathname}`;
}

/** GETs one page of an API with the bearer token and returns its parsed JSON body (or the typed error). */
export async function getApiJson(url: string, accessToken: string, signal?: AbortSignal): Promise<{ body: unknown; what: string }> {
  const what = describe('GET', url);
  const response = await readBounded(url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, signal }, MAX_PAGE_BODY_BYTES, what);
  return { body: parseApiResponse(response, what), what };
}

/** A Microsoft request read as text, at most `maxBytes` once decoded; a larger body is a malformed response. */
export async function readBounded(url: string, options: Parameters<typeof requestText>[2], maxBytes: number, what: string): Promise<TextResponse> {
  try {
    return await requestText(microsoftHttp, url, options, maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new MalformedResponseError(`${what}: ${err.message}`, undefined, { cause: err });
    throw err;
  }
}

const SERVICE_PRINCIPAL_HINT = /service principal/i;

/**
 * Turns a non-2xx or non-JSON response from Graph or the Reporting Web Service into the matching error,
 * and returns the parsed JSON body otherwise.
 */
export function parseApiResponse(response: TextResponse, what: string): unknown {
  const { statusCode, body } = response;
  const contentType = String(response.headers['content-type'] ?? '');
  if (statusCode === 401) {
    if (SERVICE_PRINCIPAL_HINT.test(body)) {
      throw new ServicePrincipalMissingError(
        `${what}: 401, the tenant has no service principal for Microsoft's message trace app; run New-MgServicePrincipal -AppId 8bd644d1-64a1-4d4b-ae52-2e0cbf64e373 (provisioning can take hours)`,
        401,
      );
    }
    throw new TokenRejectedError(`${what}: 401, the access token was refused`, 401);
  }
  if (statusCode === 403) {
    throw new PermissionMissingError(`${what}: 403, ${permissionHint(what)}`, 403);
  }
  if (statusCode === 429) {
    throw new ThrottledError(`${what}: 429, the tenant's message trace quota is spent`, parseRetryAfter(response.headers['retry-after'], Date.now()));
  }
  if (statusCode >= 500) throw new MicrosoftUnavailableError(`${what}: ${statusCode} from Microsoft`, statusCode);
  if (statusCode >= 400) {
    throw new RequestRejectedError(`${what}: ${statusCode}, ${errorText(body) ?? 'the request was refused'}`, statusCode);
  }
  if (statusCode < 200 || statusCode >= 300) throw new MalformedResponseError(`${what}: unexpected status ${statusCode}`, statusCode);
  if (/html/i.test(contentType) || /^\s*</.test(body)) {
    throw new UnexpectedHtmlError(`${what}: 200 with an HTML page instead of JSON (Microsoft's sporadic sign-in page)`, statusCode);
  }
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    throw new MalformedResponseError(`${what}: 200 with a body that is not valid JSON (${body.length} bytes)`, statusCode, { cause: err });
  }
}

function permissionHint(what: string): string {
  return /reportingwebservice/i.test(what)
    ? 'no permission to the MessageTrace report: grant the app ReportingWebService.Read.All (Office 365 Exchange Online) with admin consent and a directory role (Global Reader or Security Reader)'
    : 'the app lacks ExchangeMessageTrace.Read.All: add it as an application permission in Microsoft Graph and grant admin consent';
}

/** Microsoft's own error text from either API's error body, when it has one; it names no record. */
function errorText(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as {
      error?: { message?: string };
      'odata.error'?: { message?: { value?: string } };
      Message?: string;
    };
    // One line of bounded length: the body is Microsoft's, the message goes to logs and the UI.
    return safeText(parsed.error?.message ?? parsed['odata.error']?.message?.value ?? parsed.Message);
  } catch {
    return undefined;
  }
}
