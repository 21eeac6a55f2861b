import { z } from 'zod';
import {
  MindBotApiError,
  MindBotClient,
  type ApiKey,
  type ApiKeyCreated,
  type ApiKeyCreateRequest,
  type Branding,
  type Connection,
  type Me,
} from '@mindbot/sdk';
import {
  billingAccountSchema,
  connectionCheckSchema,
  webhookDeliveryPageSchema,
  webhookEndpointCreateSchema,
  webhookEndpointListSchema,
  webhookEndpointSchema,
  webhookEndpointWithSecretSchema,
  webhookQueuedSchema,
  type WebhookEndpoint,
  connectionCreateRequestSchema,
  connectionSchema,
  idpMetadataSchema,
  connectionListSchema,
  domainListSchema,
  domainSchema,
  onboardingLinkSchema,
  packageCreateRequestSchema,
  packageSchema,
  packageUpdateRequestSchema,
  passwordResetConfirmRequestSchema,
  problemSchema,
  reportSchema,
  tokenResponseSchema,
  userStatusSchema,
  brandingSettingsViewSchema,
  invitationListSchema,
  invitationPreviewSchema,
  invitationSchema,
  tenantUserSchema,
  userListSchema,
  userReportSchema,
  auditPageSchema,
  resellerHandoffSchema,
  resellerTenantListSchema,
  type ConnectionCheck,
  type IdpMetadataView,
  type RoleRule,
  type Invitation,
  type InvitationPreview,
  type TenantUser,
  type UserList,
} from '@mindbot/sdk/schemas';
import { scopedStorage, TokenStore, type KeyValueStorage } from './token-store.js';

export { MindBotApiError };
export type { ApiKey, ApiKeyCreated, Branding, Connection, ConnectionCheck, IdpMetadataView, Me, RoleRule };

/** A package as admins see it: on sale (`active`) or withdrawn, and its place in the list. */
const adminPackageSchema = packageSchema.extend({ active: z.boolean().default(true), sortOrder: z.int().default(0) });
const adminPackageListSchema = z.object({ packages: z.array(adminPackageSchema) });

export type AdminPackage = z.output<typeof adminPackageSchema>;
export type PackageCreate = z.input<typeof packageCreateRequestSchema>;
export type PackageUpdate = z.input<typeof packageUpdateRequestSchema>;
export type BillingAccount = z.output<typeof billingAccountSchema>;
export type OnboardingLink = z.output<typeof onboardingLinkSchema>;
export type Report = z.output<typeof reportSchema>;
export type Domain = z.output<typeof domainSchema>;
export type ConnectionCreate = z.input<typeof connectionCreateRequestSchema>;
export type WebhookEndpointCreate = z.input<typeof webhookEndpointCreateSchema>;
export type WebhookEndpointWithSecret = z.output<typeof webhookEndpointWithSecretSchema>;
export type WebhookDeliveryPage = z.output<typeof webhookDeliveryPageSchema>;
export type WebhookDelivery = WebhookDeliveryPage['deliveries'][number];
export type WebhookQueued = z.output<typeof webhookQueuedSchema>;
export type { WebhookEndpoint };
export type ConsoleUser = TenantUser;
export type ConsoleUserPage = UserList;
export type UserReport = z.output<typeof userReportSchema>;
export type { Invitation, InvitationPreview };
export type ResellerTenantList = z.output<typeof resellerTenantListSchema>;
export type ResellerTenant = ResellerTenantList['tenants'][number];
export type ResellerHandoff = z.output<typeof resellerHandoffSchema>;
export type AuditPage = z.output<typeof auditPageSchema>;
export type AuditEntry = AuditPage['entries'][number];

/** The audit log's filters as the console sends them (instants as ISO date-times). */
export interface AuditFilters {
  action?: string;
  actor?: string;
  from?: string;
  to?: string;
}

/** A setting's value as the console edits it: text, or null where the console's value is cleared. */
export type SettingValue = string | null;

/**
 * The branding settings as the console shows them: every setting the API sends (the branding
 * engineer may add some, e.g. an accent colour) and who manages each.
 */
export interface AdminBranding {
  settings: Record<string, SettingValue>;
  managedBy: Record<string, string>;
}

/** The API's view of the settings, as the console's open-ended shape. */
function adminBrandingOf(view: z.output<typeof brandingSettingsViewSchema>): AdminBranding {
  return { settings: { ...view.settings }, managedBy: { ...view.managedBy } };
}

/** Empty filters are not sent: the API would refuse an empty action or actor. */
function auditQuery(filters: AuditFilters): Record<string, string | undefined> {
  return {
    action: filters.action?.trim() || undefined,
    actor: filters.actor?.trim() || undefined,
    from: filters.from || undefined,
    to: filters.to || undefined,
  };
}

/** What the report CSV downloads hold: billing's three by-day views, or the per-user table. */
export type ReportCsv = 'usage' | 'revenue' | 'packages' | 'users';

export interface ConsoleApiOptions {
  /** The tenant's origin (the console is served from it). */
  origin: string;
  fetch?: typeof globalThis.fetch;
  /** sessionStorage in a browser; keys are scoped to the tenant's host. */
  storage?: KeyValueStorage;
}

interface SendOptions {
  body?: unknown;
  query?: Record<string, string | undefined>;
  anonymous?: boolean;
  accept?: string;
}

const PENDING_SSO_KEY = 'sso-pending';

/**
 * The console's one data layer: every call to the platform goes through here, over @mindbot/sdk's
 * client and schemas (its own calls where the client has them, the same request and problem
 * handling for the admin API). Keeps the tokens, refreshes an expired access token once and retries.
 */
export class ConsoleApi {
  readonly origin: string;
  readonly storage: KeyValueStorage;
  private readonly tokens: TokenStore;
  private readonly client: MindBotClient;
  private readonly fetchImpl: typeof globalThis.fetch;
  private refreshing: Promise<boolean> | undefined;
  private readonly signedOutListeners = new Set<() => void>();

  constructor(options: ConsoleApiOptions) {
    this.origin = new URL(options.origin).origin;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.storage = scopedStorage(options.storage, new URL(options.origin).host);
    this.tokens = new TokenStore(this.storage);
    this.client = new MindBotClient({ baseUrl: this.origin, fetch: this.fetchImpl, credential: () => this.tokens.access });
  }

  get signedIn(): boolean {
    return this.tokens.access !== undefined;
  }

  /** Called when a refusal the refresh could not cure has signed the admin out. */
  onSignedOut(listener: () => void): () => void {
    this.signedOutListeners.add(listener);
    return () => this.signedOutListeners.delete(listener);
  }

  // --- signing in ---------------------------------------------------------------------------------

  /** After a reload: a new access token from the tab's refresh token, if it still works. */
  async resume(): Promise<boolean> {
    if (this.signedIn) return true;
    if (this.tokens.refresh === undefined) return false;
    return this.refresh();
  }

  async signIn(email: string, password: string): Promise<void> {
    this.tokens.set(await this.client.signIn(email, password));
  }

  /** Starts an SSO sign-in that comes back to `returnTo` (a console page); answers where to send the browser. */
  async startSso(connectionId: string, returnTo: string): Promise<string> {
    const { url } = await this.client.startSsoSignIn({ connection: connectionId }, { returnTo, storage: this.storage });
    this.storage.setItem(PENDING_SSO_KEY, '1');
    return url;
  }

  /** True when this console started the SSO sign-in the page's location is returning from. */
  isSsoReturn(href: string): boolean {
    return this.storage.getItem(PENDING_SSO_KEY) !== null && /[#&](code|error)=/.test(new URL(href).hash);
  }

  async completeSso(href: string): Promise<void> {
    this.storage.removeItem(PENDING_SSO_KEY);
    this.tokens.set(await this.client.completeSsoRedirect(href, { storage: this.storage }));
  }

  async signOut(): Promise<void> {
    try {
      if (this.signedIn) await this.client.signOut();
    } catch {
      // Signed out here either way; the session expires on its own.
    } finally {
      this.tokens.clear();
    }
  }

  /** Asks for a password-reset mail (answered the same whether or not the address has an account). */
  async requestPasswordReset(email: string): Promise<void> {
    await this.send('POST', '/v1/auth/password/reset-request', { body: { email }, anonymous: true });
  }

  async resetPassword(input: z.input<typeof passwordResetConfirmRequestSchema>): Promise<void> {
    await this.send('POST', '/v1/auth/password/reset', { body: input, anonymous: true });
  }

  previewInvitation(token: string): Promise<InvitationPreview> {
    return this.call('POST', '/v1/invitations/preview', invitationPreviewSchema, { body: { token }, anonymous: true });
  }

  /** Accepts an invitation (a password for a new account) and signs in as its user. */
  async acceptInvitation(input: { token: string; password?: string; displayName?: string }): Promise<void> {
    this.tokens.set(await this.call('POST', '/v1/invitations/accept', tokenResponseSchema, { body: input, anonymous: true }));
  }

  /** Redeems a reseller's one-time handoff code (from the console URL's fragment) and signs in as its user. */
  async redeemHandoff(code: string): Promise<void> {
    this.tokens.set(await this.call('POST', '/v1/sso/exchange', tokenResponseSchema, { body: { code }, anonymous: true }));
  }

  branding(): Promise<Branding> {
    return this.client.branding();
  }

  me(): Promise<Me> {
    return this.authed(() => this.client.me());
  }

  // --- packages and Stripe ------------------------------------------------------------------------

  async packages(): Promise<AdminPackage[]> {
    return (await this.call('GET', '/v1/admin/packages', adminPackageListSchema)).packages;
  }

  createPackage(input: PackageCreate): Promise<AdminPackage> {
    return this.call('POST', '/v1/admin/packages', adminPackageSchema, { body: input });
  }

  updatePackage(id: string, patch: PackageUpdate): Promise<AdminPackage> {
    return this.call('PATCH', `/v1/admin/packages/${encodeURIComponent(id)}`, adminPackageSchema, { body: patch });
  }

  /** Withdraws a package from sale (purchases keep referring to it). */
  async withdrawPackage(id: string): Promise<void> {
    await this.send('DELETE', `/v1/admin/packages/${encodeURIComponent(id)}`);
  }

  billingAccount(): Promise<BillingAccount> {
    return this.call('GET', '/v1/admin/billing', billingAccountSchema);
  }

  onboardingLink(): Promise<OnboardingLink> {
    return this.call('POST', '/v1/admin/billing/onboarding-link', onboardingLinkSchema, { body: {} });
  }

  // --- API keys -----------------------------------------------------------------------------------

  apiKeys(): Promise<ApiKey[]> {
    return this.authed(() => this.client.listApiKeys());
  }

  createApiKey(input: ApiKeyCreateRequest): Promise<ApiKeyCreated> {
    return this.authed(() => this.client.createApiKey(input));
  }

  revokeApiKey(id: string): Promise<void> {
    return this.authed(() => this.client.revokeApiKey(id));
  }

  // --- users and invitations ----------------------------------------------------------------------

  users(options: { q?: string; cursor?: string; limit?: number } = {}): Promise<ConsoleUserPage> {
    return this.call('GET', '/v1/users', userListSchema, {
      query: { q: options.q || undefined, cursor: options.cursor, limit: options.limit === undefined ? undefined : String(options.limit) },
    });
  }

  setRoles(userId: string, roles: string[]): Promise<ConsoleUser> {
    return this.call('PUT', `/v1/users/${encodeURIComponent(userId)}/roles`, tenantUserSchema, { body: { roles } });
  }

  async blockUser(userId: string): Promise<void> {
    await this.call('POST', `/v1/users/${encodeURIComponent(userId)}/block`, userStatusSchema, { body: {} });
  }

  async unblockUser(userId: string): Promise<void> {
    await this.call('POST', `/v1/users/${encodeURIComponent(userId)}/unblock`, userStatusSchema, { body: {} });
  }

  async removeUser(userId: string): Promise<void> {
    await this.send('DELETE', `/v1/users/${encodeURIComponent(userId)}`);
  }

  async invitations(): Promise<Invitation[]> {
    return (await this.call('GET', '/v1/invitations', invitationListSchema)).invitations;
  }

  invite(email: string, roles: string[]): Promise<Invitation> {
    return this.call('POST', '/v1/invitations', invitationSchema, { body: { email, roles } });
  }

  async revokeInvitation(id: string): Promise<void> {
    await this.send('DELETE', `/v1/invitations/${encodeURIComponent(id)}`);
  }

  // --- branding and persona -----------------------------------------------------------------------

  async adminBranding(): Promise<AdminBranding> {
    return adminBrandingOf(await this.call('GET', '/v1/admin/branding', brandingSettingsViewSchema));
  }

  async updateBranding(patch: Record<string, SettingValue>): Promise<AdminBranding> {
    return adminBrandingOf(await this.call('PATCH', '/v1/admin/branding', brandingSettingsViewSchema, { body: patch }));
  }

  // --- usage and revenue --------------------------------------------------------------------------

  report(from: string, to: string): Promise<Report> {
    return this.call('GET', '/v1/admin/reports', reportSchema, { query: { from, to } });
  }

  userReport(from: string, to: string): Promise<UserReport> {
    return this.call('GET', '/v1/admin/reports/users', userReportSchema, { query: { from, to } });
  }

  /** A report as CSV, with the file name the API gives it. */
  async reportCsv(view: ReportCsv, from: string, to: string): Promise<{ name: string; blob: Blob }> {
    const response =
      view === 'users'
        ? await this.send('GET', '/v1/admin/reports/users', { query: { from, to, format: 'csv' }, accept: 'text/csv' })
        : await this.send('GET', '/v1/admin/reports', { query: { from, to, format: 'csv', view }, accept: 'text/csv' });
    const disposition = response.headers.get('content-disposition') ?? '';
    const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `${view}-${from}-${to}.csv`;
    return { name, blob: await response.blob() };
  }

  // --- identity providers -------------------------------------------------------------------------

  async connections(): Promise<Connection[]> {
    return (await this.call('GET', '/v1/sso/connections', connectionListSchema)).connections;
  }

  createConnection(input: ConnectionCreate): Promise<Connection> {
    return this.call('POST', '/v1/sso/connections', connectionSchema, { body: input });
  }

  async deleteConnection(id: string): Promise<void> {
    await this.send('DELETE', `/v1/sso/connections/${encodeURIComponent(id)}`);
  }

  updateRoleRules(id: string, roleRules: RoleRule[]): Promise<Connection> {
    return this.call('PATCH', `/v1/sso/connections/${encodeURIComponent(id)}`, connectionSchema, { body: { roleRules } });
  }

  /** SSO loads what the connection would use at sign-in and says what it found. */
  testConnection(id: string, metadataUrl?: string): Promise<ConnectionCheck> {
    return this.call('POST', `/v1/sso/connections/${encodeURIComponent(id)}/test`, connectionCheckSchema, {
      body: metadataUrl ? { metadataUrl } : {},
    });
  }

  /** SSO fetches an IdP's SAML metadata by URL (public https only) and reads it; nothing is saved. */
  idpMetadata(url: string): Promise<IdpMetadataView> {
    return this.call('POST', '/v1/sso/idp-metadata', idpMetadataSchema, { body: { url } });
  }

  async domains(): Promise<Domain[]> {
    return (await this.call('GET', '/v1/sso/domains', domainListSchema)).data;
  }

  claimDomain(domain: string, connectionId: string | null): Promise<Domain> {
    return this.call('POST', '/v1/sso/domains', domainSchema, { body: { domain, connectionId } });
  }

  verifyDomain(domain: string): Promise<Domain> {
    return this.call('POST', `/v1/sso/domains/${encodeURIComponent(domain)}/verify`, domainSchema, { body: {} });
  }

  // --- outbound webhooks ---------------------------------------------------------------------------

  async webhookEndpoints(): Promise<WebhookEndpoint[]> {
    return (await this.call('GET', '/v1/webhook-endpoints', webhookEndpointListSchema)).endpoints;
  }

  /** The endpoint and its signing secret, which no later answer shows. */
  createWebhookEndpoint(input: WebhookEndpointCreate): Promise<WebhookEndpointWithSecret> {
    return this.call('POST', '/v1/webhook-endpoints', webhookEndpointWithSecretSchema, { body: input });
  }

  setWebhookEndpointStatus(id: string, status: 'active' | 'disabled'): Promise<WebhookEndpoint> {
    return this.call('PATCH', `/v1/webhook-endpoints/${encodeURIComponent(id)}`, webhookEndpointSchema, { body: { status } });
  }

  sendTestWebhook(id: string): Promise<WebhookQueued> {
    return this.call('POST', `/v1/webhook-endpoints/${encodeURIComponent(id)}/test`, webhookQueuedSchema, { body: {} });
  }

  webhookDeliveries(endpointId: string): Promise<WebhookDeliveryPage> {
    return this.call('GET', `/v1/webhook-endpoints/${encodeURIComponent(endpointId)}/deliveries`, webhookDeliveryPageSchema);
  }

  replayWebhookDelivery(deliveryId: string): Promise<WebhookQueued> {
    return this.call('POST', `/v1/webhook-deliveries/${encodeURIComponent(deliveryId)}/replay`, webhookQueuedSchema, { body: {} });
  }

  // --- resellers ----------------------------------------------------------------------------------

  resellerTenants(from: string, to: string, cursor?: string): Promise<ResellerTenantList> {
    return this.call('GET', '/v1/reseller/tenants', resellerTenantListSchema, { query: { from, to, cursor } });
  }

  /** A single-use link into a child tenant's console, signed in there with the reseller role. */
  resellerHandoff(tenant: string): Promise<ResellerHandoff> {
    return this.call('POST', '/v1/sso/reseller-handoff', resellerHandoffSchema, { body: { tenant } });
  }

  // --- audit log ----------------------------------------------------------------------------------

  auditEvents(filters: AuditFilters, cursor?: string): Promise<AuditPage> {
    return this.call('GET', '/v1/audit-events', auditPageSchema, { query: { ...auditQuery(filters), cursor } });
  }

  /** The filtered log as CSV, with the file name the API gives it. */
  async auditCsv(filters: AuditFilters): Promise<{ name: string; blob: Blob }> {
    const response = await this.send('GET', '/v1/audit-events', { query: { ...auditQuery(filters), format: 'csv' }, accept: 'text/csv' });
    const disposition = response.headers.get('content-disposition') ?? '';
    return { name: /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'audit-log.csv', blob: await response.blob() };
  }

  // --- transport ----------------------------------------------------------------------------------

  private async call<S extends z.ZodType>(method: string, path: string, schema: S, options: SendOptions = {}): Promise<z.output<S>> {
    const response = await this.send(method, path, options);
    return schema.parse(await response.json());
  }

  /** One request; a signed-in call refused with 401 refreshes the tokens once and is sent again. */
  private async send(method: string, path: string, options: SendOptions = {}): Promise<Response> {
    if (options.anonymous) return this.request(method, path, options);
    return this.authed(() => this.request(method, path, options));
  }

  private async request(method: string, path: string, options: SendOptions): Promise<Response> {
    const url = new URL(path, this.origin);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const token = options.anonymous ? undefined : this.tokens.access;
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await this.fetchImpl(url, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    if (response.ok) return response;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const problem = problemSchema.safeParse(parsed);
    throw new MindBotApiError(
      response.status,
      problem.success
        ? problem.data
        : { type: 'about:blank', title: response.statusText, status: response.status, detail: text.slice(0, 200), code: 'unknown' },
    );
  }

  private async authed<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof MindBotApiError) || error.status !== 401) throw error;
      if (!(await this.refresh())) throw error;
      return run();
    }
  }

  private refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const refreshToken = this.tokens.refresh;
      if (refreshToken === undefined) return false;
      try {
        this.tokens.set(await this.client.refresh(refreshToken));
        return true;
      } catch {
        this.tokens.clear();
        for (const listener of this.signedOutListeners) listener();
        return false;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }
}
