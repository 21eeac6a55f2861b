import { z } from 'zod';

/** One thing checked about a connection: what, whether it passed, and what was found (shown to the admin). */
export const connectionCheckItemSchema = z.object({
  check: z.string().meta({ description: 'What was checked, e.g. "discovery", "jwks", "certificate".' }),
  ok: z.boolean(),
  detail: z.string(),
});

/** The answer of POST /v1/sso/connections/{id}/test: every check made, and ok when all passed. */
export const connectionCheckSchema = z
  .object({
    ok: z.boolean(),
    checkedAt: z.iso.datetime(),
    checks: z.array(connectionCheckItemSchema),
  })
  .meta({ id: 'ConnectionCheck' });

/** POST /v1/sso/connections/{id}/test: for SAML, a metadata URL to compare the connection with (optional). */
export const connectionCheckRequestSchema = z
  .object({ metadataUrl: z.url().max(2048).optional() })
  .strict()
  .meta({ id: 'ConnectionCheckRequest' });

/** POST /v1/sso/idp-metadata: the IdP's SAML metadata URL, fetched by SSO. */
export const idpMetadataFetchRequestSchema = z
  .object({ url: z.url().max(2048) })
  .strict()
  .meta({ id: 'IdpMetadataFetchRequest' });

/** What SSO read from an IdP's SAML metadata: the settings a SAML connection takes from it. */
export const idpMetadataSchema = z
  .object({
    idpEntityId: z.string(),
    idpSsoUrl: z.string(),
    idpSloUrl: z.string().optional(),
    idpCertificates: z.array(z.string()).meta({ description: 'Base64 DER.' }),
  })
  .meta({ id: 'IdpMetadata' });

export type ConnectionCheck = z.output<typeof connectionCheckSchema>;
export type IdpMetadataView = z.output<typeof idpMetadataSchema>;
