import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';
import { decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import { freePort } from './free-port.js';

export interface IdpAccount {
  email: string;
  name: string;
  groups: string[];
}

export interface TestOidcIdp {
  issuer: string;
  /** The IdP's private signing keys (RS256 and ES256), for crafting tokens it would never issue. */
  keys: { rsa: JWK; ec: JWK };
  /** Replaces the id_token of the next token responses (undefined restores honest behaviour). */
  tamperIdToken: ((idToken: string, claims: Record<string, unknown>, header: Record<string, unknown>) => Promise<string>) | undefined;
  close(): Promise<void>;
}

function privateJwk(kind: 'rsa' | 'ec', kid: string, alg: string): JWK {
  const { privateKey } =
    kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

/**
 * A real OpenID Provider (panva's certified oidc-provider) on a loopback port. Its login and consent
 * interactions are answered over HTTP: GET /interaction/:uid?login=<account> signs in, the next
 * interaction grants consent, as a user clicking through the pages would.
 */
export async function startOidcIdp(options: {
  port?: number;
  accounts: Record<string, IdpAccount>;
  clients: { clientId: string; clientSecret: string; redirectUris: string[] }[];
}): Promise<TestOidcIdp> {
  const port = options.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const keys = { rsa: privateJwk('rsa', 'idp-rsa', 'RS256'), ec: privateJwk('ec', 'idp-ec', 'ES256') };
  const provider = new Provider(issuer, {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [keys.rsa, keys.ec] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    cookies: { keys: ['test-only-cookie-key'] },
    findAccount: (_ctx, id) => {
      const account = options.accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({ sub: id, email: account.email, email_verified: true, name: account.name, groups: account.groups }),
      };
    },
  });
  const handle = provider.callback();
  const idp: TestOidcIdp = {
    issuer,
    keys,
    tamperIdToken: undefined,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname.startsWith('/interaction/')) {
      void (async () => {
        const details = await provider.interactionDetails(req, res);
        // The user turns the request down (the "Cancel" of a login or consent page): the OP answers the client access_denied.
        if (url.searchParams.get('deny') === '1') {
          await provider.interactionFinished(
            req,
            res,
            { error: 'access_denied', error_description: 'The user declined.' },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        if (details.prompt.name === 'login') {
          const login = url.searchParams.get('login') ?? '';
          await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
          return;
        }
        const grant = new provider.Grant({ accountId: details.session?.accountId ?? '', clientId: String(details.params.client_id) });
        grant.addOIDCScope('openid email profile groups');
        grant.addOIDCClaims(['email', 'email_verified', 'name', 'groups']);
        await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
      })().catch(() => {
        res.statusCode = 500;
        res.end();
      });
      return;
    }
    const tamper = idp.tamperIdToken;
    if (url.pathname === '/token' && tamper) {
      const end = res.end.bind(res);
      res.end = ((chunk?: unknown) => {
        void (async () => {
          const text = Buffer.isBuffer(chunk) ? chunk.toString('utf8') : typeof chunk === 'string' ? chunk : '';
          const body = JSON.parse(text) as Record<string, unknown>;
          if (typeof body.id_token === 'string') {
            body.id_token = await tamper(body.id_token, decodeJwt(body.id_token), decodeProtectedHeader(body.id_token));
          }
          const out = JSON.stringify(body);
          if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(out));
          end(out);
        })();
        return res;
      }) as typeof res.end;
    }
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return idp;
}

/** A browser's cookie jar, just enough for the IdP's interaction and session cookies. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const index = pair?.indexOf('=') ?? -1;
      if (pair && index > 0) this.cookies.set(pair.slice(0, index), pair.slice(index + 1));
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * Follows the user's browser from the authorization URL through the IdP's login and consent
 * interactions until the IdP redirects back to the client; returns that callback URL. With `deny`
 * the user declines at the first interaction, and the callback carries the IdP's error.
 */
export async function completeIdpLogin(
  authorizationUrl: string,
  login: string,
  options: { redirectPrefix: string; deny?: boolean },
): Promise<URL> {
  const jar = new CookieJar();
  let next = new URL(authorizationUrl);
  for (let hop = 0; hop < 12; hop++) {
    if (next.href.startsWith(options.redirectPrefix)) return next;
    if (next.pathname.startsWith('/interaction/') && !next.searchParams.has('login')) next.searchParams.set('login', login);
    if (next.pathname.startsWith('/interaction/') && options.deny) next.searchParams.set('deny', '1');
    const response = await fetch(next, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(response);
    const location = response.headers.get('location');
    if (!location) throw new Error(`The IdP answered ${response.status} at ${next.pathname}: ${await response.text()}`);
    next = new URL(location, next);
  }
  throw new Error('Too many redirects at the IdP');
}
