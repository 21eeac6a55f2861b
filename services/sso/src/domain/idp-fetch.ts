import http from 'node:http';
import https from 'node:https';
import { fail, ok, type Result } from '@mindbot/errors';
import { pinnedLookup, refusedLiteralHost, type Resolve } from '@mindbot/jobs';

/**
 * What SSO may fetch from an identity provider on an admin's word (SAML metadata, an OIDC discovery
 * document, its JWKS): https to a public address only, as outbound webhooks are judged (ipaddr.js
 * through @mindbot/jobs: the socket connects only to an address that was checked, so DNS cannot
 * rebind in between). `allowPrivate` (SSO_ALLOW_INSECURE_IDP_URLS, refused in production) lets tests
 * and local development reach an IdP double on plain http and loopback.
 */
export interface IdpFetchPolicy {
  allowPrivate: boolean;
  maxBytes: number;
  timeoutMs?: number;
  resolve?: Resolve;
}

export type IdpFetchFailure = 'not_allowed' | 'unreachable' | 'bad_status' | 'too_large';

/** The body of a GET to `url` as text, or why there is none (in `detail`, fit to show the admin). */
export function fetchIdpDocument(url: string, policy: IdpFetchPolicy): Promise<Result<string, IdpFetchFailure>> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve(fail('not_allowed', `${url} is not a URL`));
  }
  if (target.username || target.password) return Promise.resolve(fail('not_allowed', 'the URL must not carry a user name or password'));
  if (target.protocol !== 'https:' && !(policy.allowPrivate && target.protocol === 'http:'))
    return Promise.resolve(fail('not_allowed', 'the URL must be https'));
  const targetPolicy = { allowPrivateTargets: policy.allowPrivate, ...(policy.resolve ? { resolve: policy.resolve } : {}) };
  const literal = refusedLiteralHost(target, targetPolicy);
  if (literal) return Promise.resolve(fail('not_allowed', literal));
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Result<string, IdpFetchFailure>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const transport = target.protocol === 'https:' ? https : http;
    const req = transport.request(
      target,
      {
        method: 'GET',
        headers: { accept: 'application/json, application/samlmetadata+xml, application/xml, text/xml', 'user-agent': 'MindBot-SSO/1' },
        lookup: pinnedLookup(targetPolicy),
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          res.resume();
          // Redirects are not followed: the next address would not have been checked.
          finish(fail('bad_status', `${target.origin} answered ${status}`));
          return;
        }
        const chunks: Buffer[] = [];
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > policy.maxBytes) {
            res.destroy();
            finish(fail('too_large', `the document is larger than ${policy.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.once('end', () => finish(ok(Buffer.concat(chunks).toString('utf8'))));
        res.once('error', () => finish(fail('unreachable', `${target.origin} broke off the answer`)));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(fail('unreachable', `${target.origin} did not answer within ${policy.timeoutMs ?? 5_000} ms`));
    }, policy.timeoutMs ?? 5_000);
    req.once('error', (error: NodeJS.ErrnoException) =>
      finish(
        fail(
          error.code === 'EWEBHOOKTARGET' ? 'not_allowed' : 'unreachable',
          error.code === 'EWEBHOOKTARGET' ? error.message : `${target.host} could not be reached`,
        ),
      ),
    );
    req.end();
  });
}
