import { AppError, parseInput } from '@mindbot/errors';
import { idpMetadataFetchRequestSchema, idpMetadataSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { fetchIdpMetadata } from '../domain/saml-metadata.js';
import type { AppRoute } from '../http/route-context.js';
import { adminOnly, problem, signIn } from '../http/route-responses.js';

/**
 * POST /v1/sso/idp-metadata: SSO fetches an IdP's SAML metadata from its URL (a public https
 * address only, as webhooks are judged: idp-fetch.ts) and answers what a SAML connection takes from
 * it, for the console to show before the connection is saved. Nothing is stored.
 */
export const v1IdpMetadataFetch: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/sso/idp-metadata',
    operationId: 'fetchIdpMetadata',
    summary:
      "Fetch an IdP's SAML metadata by URL (public https addresses only) and read the entity, sign-in URLs and certificates from it.",
    auth: 'admin',
    upstream: 'sso',
    body: idpMetadataFetchRequestSchema,
    responses: {
      200: { description: 'What the metadata says', schema: idpMetadataSchema },
      400: problem('Invalid body'),
      401: signIn,
      403: adminOnly,
      422: problem('The metadata could not be fetched or is not usable SAML IdP metadata'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/sso/idp-metadata', ...ctx.admin, async (req, res) => {
      const input = parseInput(idpMetadataFetchRequestSchema, req.body);
      const metadata = await fetchIdpMetadata(input.url, {
        allowInsecure: ctx.sso.config.SSO_ALLOW_INSECURE_IDP_URLS,
        maxBytes: ctx.sso.config.SSO_SAML_MAX_BYTES,
      });
      if (!metadata.ok) throw new AppError('unprocessable', `The metadata is not usable: ${metadata.detail ?? metadata.failure}.`);
      res.json(metadata.value satisfies JsonAnswer<typeof idpMetadataSchema>);
    });
  },
};
