import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MalformedResponseError } from '../../microsoft/errors.js';
import { resolveNextLink } from '../../microsoft/next-link.js';
import { hostileString, nextLinkValue, RUNS } from './hostile.js';

const REQUEST = 'https://graph.microsoft.com/v1.0/admin/exchange/tracing/messageTraces?$top=2';
const ORIGIN = 'https://graph.microsoft.com';

/** Hosts that look like Microsoft's to a careless check: prefixes, suffixes, userinfo, ports, schemes. */
const lookalike = fc.constantFrom(
  'https://graph.microsoft.com.evil.example/x',
  'https://evil.example/graph.microsoft.com/x',
  'https://graph.microsoft.com@evil.example/x',
  'https://graph.microsoft.com:444/x',
  'http://graph.microsoft.com/x',
  '//evil.example/x',
  '\\\\evil.example\\x',
  '/\\evil.example/x',
  'https:evil.example/x',
  'https://evil.example\\@graph.microsoft.com/',
  'https://xn--graph-microsoft-com.example/',
  'wss://graph.microsoft.com/x',
  'file:///etc/passwd',
);

describe('next links from hostile answers', () => {
  it('any value gives no link, a link to the same origin, or MalformedResponseError; never a crash', () => {
    fc.assert(
      fc.property(fc.oneof(nextLinkValue, hostileString, lookalike), (link) => {
        try {
          const resolved = resolveNextLink(link, REQUEST, 'GET');
          if (resolved !== undefined) assert.equal(new URL(resolved).origin, ORIGIN);
        } catch (err) {
          assert.ok(err instanceof MalformedResponseError, String(err));
        }
      }),
      { numRuns: RUNS.pure * 3 },
    );
  });

  it('a link to any other origin is refused, so the bearer token never leaves for it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.webUrl({ withQueryParameters: true }), lookalike).filter((u) => new URL(u, REQUEST).origin !== ORIGIN), (link) => {
        assert.throws(() => resolveNextLink(link, REQUEST, 'GET'), MalformedResponseError);
      }),
      { numRuns: RUNS.pure },
    );
  });

  it('a relative link stays on the API host, whatever its path and query', () => {
    fc.assert(
      fc.property(fc.webPath(), fc.webQueryParameters(), (path, query) => {
        const resolved = resolveNextLink(`${path.replace(/^\/+/, '/')}?${query}`, REQUEST, 'GET');
        assert.equal(resolved && new URL(resolved).origin, ORIGIN);
      }),
      { numRuns: RUNS.pure },
    );
  });
});
