import { connectionCreateRequestSchema, oidcSecretsSchema, oidcSettingsSchema, roleRulesSchema } from '@mindbot/sdk/schemas';
import { z } from 'zod';
import type { ConnectionCreate } from '../../api/console-api.js';
import type { Translate } from '../../i18n/index.js';

export interface ConnectionFormValues {
  kind: 'oidc' | 'saml';
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  metadataUrl: string;
  metadataXml: string;
  roleRules: string;
}

export const EMPTY_CONNECTION: ConnectionFormValues = {
  kind: 'oidc',
  name: '',
  issuer: '',
  clientId: '',
  clientSecret: '',
  scopes: 'openid email profile',
  metadataUrl: '',
  metadataXml: '',
  roleRules: '',
};

/** `group = role` lines as the API's role rules; undefined when a line is not of that form. */
export function parseRoleRules(text: string): z.output<typeof roleRulesSchema> | undefined {
  const rules: { group: string; role: string }[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '') continue;
    const match = /^(.+?)\s*=\s*(\S+)$/.exec(line);
    if (!match?.[1] || !match[2]) return undefined;
    rules.push({ group: match[1], role: match[2] });
  }
  const parsed = roleRulesSchema.safeParse(rules);
  return parsed.success ? parsed.data : undefined;
}

/** The API's request for the form's kind (only that kind's fields are sent). */
export function requestOf(values: ConnectionFormValues): ConnectionCreate {
  const roleRules = parseRoleRules(values.roleRules) ?? [];
  if (values.kind === 'oidc')
    return {
      kind: 'oidc',
      name: values.name,
      roleRules,
      settings: { issuer: values.issuer.trim(), clientId: values.clientId.trim(), scopes: values.scopes.trim().replace(/\s+/g, ' ') },
      secrets: { clientSecret: values.clientSecret },
    };
  return {
    kind: 'saml',
    name: values.name,
    roleRules,
    ...(values.metadataUrl.trim() ? { metadataUrl: values.metadataUrl.trim() } : {}),
    ...(values.metadataXml.trim() ? { metadataXml: values.metadataXml } : {}),
  };
}

/** The form's rules: the SDK's per field for the chosen kind, and the whole request checked by its schema. */
export function connectionFormSchema(t: Translate) {
  const fields = {
    issuer: oidcSettingsSchema.shape.issuer,
    clientId: oidcSettingsSchema.shape.clientId,
    clientSecret: oidcSecretsSchema.shape.clientSecret,
    scopes: oidcSettingsSchema.shape.scopes.unwrap(),
  } as const;
  return z
    .object({
      kind: z.enum(['oidc', 'saml']),
      name: z.string().trim().min(1).max(100),
      issuer: z.string(),
      clientId: z.string(),
      clientSecret: z.string(),
      scopes: z.string(),
      metadataUrl: z.string(),
      metadataXml: z.string(),
      roleRules: z.string(),
    })
    .superRefine((values, ctx) => {
      if (parseRoleRules(values.roleRules) === undefined)
        ctx.addIssue({ code: 'custom', path: ['roleRules'], message: t('roleRulesInvalid') });
      if (values.kind === 'oidc') {
        for (const key of ['issuer', 'clientId', 'clientSecret', 'scopes'] as const) {
          const value = key === 'scopes' ? values.scopes.trim().replace(/\s+/g, ' ') : values[key].trim();
          const result = fields[key].safeParse(value);
          if (!result.success) ctx.addIssue({ code: 'custom', path: [key], message: result.error.issues[0]?.message ?? 'invalid' });
        }
        return;
      }
      if (!values.metadataUrl.trim() && !values.metadataXml.trim()) {
        ctx.addIssue({ code: 'custom', path: ['metadataUrl'], message: t('samlMetadataHint') });
        return;
      }
      const whole = connectionCreateRequestSchema.safeParse(requestOf(values));
      if (!whole.success) {
        const issue = whole.error.issues[0];
        const field = issue?.path.includes('metadataXml') ? 'metadataXml' : 'metadataUrl';
        ctx.addIssue({ code: 'custom', path: [field], message: issue?.message ?? 'invalid' });
      }
    });
}
