// Secrets for running the platform on this machine (`npm start`): made once per machine, kept in
// the git-ignored .data/ folder readable by its owner only, so tokens and sealed secrets survive a
// restart. Never used anywhere else: deployments take these from their own secret store.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface LocalSecrets {
  ssoSigningKeys: string;
  ssoSigningKid: string;
  ssoSecretKeys: string;
  stripeWebhookSecret: string;
  billingServiceToken: string;
}

// RSA: platform tokens signed RS256 verify several times cheaper than ES256 (docs/adr/0060).
function makeSecrets(): LocalSecrets {
  const kid = `local-${randomBytes(4).toString('hex')}`;
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return {
    ssoSigningKeys: JSON.stringify({ keys: [{ ...jwk, kid }] }),
    ssoSigningKid: kid,
    ssoSecretKeys: `k1:${randomBytes(32).toString('base64')}`,
    stripeWebhookSecret: `whsec_${randomBytes(24).toString('hex')}`,
    billingServiceToken: randomBytes(32).toString('base64url'),
  };
}

export async function localSecrets(file: string): Promise<LocalSecrets> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LocalSecrets;
  } catch {
    const secrets = makeSecrets();
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    return secrets;
  }
}
