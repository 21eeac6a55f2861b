import {
  brandingSchema,
  MindBotApiError,
  MindBotClient,
  type Balance,
  type Branding,
  type Package,
  type TimeCard,
  type TimeCardActivation,
  type TokenResponse,
  type VoiceSession,
} from '@mindbot/sdk';
import { PENDING_CHECKOUT_KEY, PENDING_SSO_KEY } from '../app/contract.js';
import { scopedStorage, TokenStore, type KeyValueStorage } from './token-store.js';

export { MindBotApiError };
export type { Balance, Package, TimeCard, TimeCardActivation, VoiceSession };

/** Branding as the widget reads it: the SDK's, with the SSO connections to offer as buttons (`ssoConnections`). */
export type WidgetBranding = Branding;

export interface WidgetApiOptions {
  /** The tenant's origin (where widget.js came from). */
  origin: string;
  fetch?: typeof globalThis.fetch;
  /** sessionStorage in a browser; keys are scoped to the tenant's host. */
  storage?: KeyValueStorage;
}

/**
 * The widget's one data layer: every call to the platform goes through here, over @mindbot/sdk's
 * client and schemas. Signs in, keeps the tokens per tenant, refreshes an expired access token once.
 */
export class WidgetApi {
  readonly origin: string;
  readonly storage: KeyValueStorage;
  private readonly tokens: TokenStore;
  private readonly client: MindBotClient;
  private refreshing: Promise<boolean> | undefined;

  constructor(options: WidgetApiOptions) {
    this.origin = new URL(options.origin).origin;
    const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.storage = scopedStorage(options.storage, new URL(options.origin).host);
    this.tokens = new TokenStore(this.storage);
    this.client = new MindBotClient({ baseUrl: this.origin, fetch: fetchImpl, credential: () => this.tokens.get()?.accessToken });
  }

  get signedIn(): boolean {
    return this.tokens.get() !== undefined;
  }

  parseBranding(raw: unknown): WidgetBranding {
    return brandingSchema.parse(raw);
  }

  async signIn(email: string, password: string): Promise<void> {
    this.tokens.set(await this.client.signIn(email, password));
  }

  async signUp(email: string, password: string): Promise<void> {
    this.tokens.set(await this.client.register(email, password));
  }

  /** Starts an SSO sign-in that comes back to `returnTo` (this page); answers where to send the browser. */
  async startSso(connectionId: string, returnTo: string): Promise<string> {
    const { url } = await this.client.startSsoSignIn({ connection: connectionId }, { returnTo, storage: this.storage });
    this.storage.setItem(PENDING_SSO_KEY, '1');
    return url;
  }

  /** True when this tenant's widget started the SSO sign-in the page's location is returning from. */
  isSsoReturn(href: string): boolean {
    const hash = new URL(href).hash;
    return this.storage.getItem(PENDING_SSO_KEY) !== null && /[#&](code|error)=/.test(hash);
  }

  async completeSso(href: string): Promise<void> {
    this.storage.removeItem(PENDING_SSO_KEY);
    const tokens: TokenResponse = await this.client.completeSsoRedirect(href, { storage: this.storage });
    this.tokens.set(tokens);
  }

  async signOut(): Promise<void> {
    try {
      if (this.signedIn) await this.client.signOut();
    } catch {
      // Signed out locally either way; the session expires on its own.
    } finally {
      this.tokens.clear();
    }
  }

  balance(): Promise<Balance> {
    return this.authed(() => this.client.balance());
  }

  packages(): Promise<Package[]> {
    return this.authed(() => this.client.packages());
  }

  /**
   * Starts a purchase and answers the Checkout URL to send the browser to. `returnUrl` is the page
   * to come back to (the API adds `mindbot_checkout=success|cancel&mindbot_purchase=<id>`).
   */
  async buy(packageId: string, returnUrl?: string): Promise<string> {
    const key = randomKey('buy');
    const purchase = await this.authed(() => this.client.purchase(packageId, key, returnUrl === undefined ? {} : { returnUrl }));
    if (!purchase.checkoutUrl) throw new Error('The purchase has no checkout URL.');
    this.storage.setItem(PENDING_CHECKOUT_KEY, purchase.id);
    return purchase.checkoutUrl;
  }

  /** The purchase this widget sent to Checkout, if any (taken: answered once). */
  takePendingCheckout(): string | undefined {
    const id = this.storage.getItem(PENDING_CHECKOUT_KEY);
    this.storage.removeItem(PENDING_CHECKOUT_KEY);
    return id ?? undefined;
  }

  hasPendingCheckout(): boolean {
    return this.storage.getItem(PENDING_CHECKOUT_KEY) !== null;
  }

  /**
   * The user's own time cards, newest first (`GET /v1/time-cards`; a card's activation code is shown
   * while it can still be used). A paid purchase issues one (its `purchaseId`); it counts once activated.
   */
  timeCards(): Promise<TimeCard[]> {
    return this.authed(() => this.client.timeCards());
  }

  activate(code: string): Promise<TimeCardActivation> {
    return this.authed(() => this.client.activateTimeCard(code.trim()));
  }

  startCall(persona?: string): Promise<VoiceSession> {
    return this.authed(() => this.client.startVoiceSession({ startKey: randomKey('call'), ...(persona ? { persona } : {}) }));
  }

  async endCall(sessionId: string): Promise<void> {
    await this.authed(() => this.client.endVoiceSession(sessionId));
  }

  /** Runs a signed-in call; on a 401 refreshes the tokens once and retries, else signs out locally. */
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
      const current = this.tokens.get();
      if (!current) return false;
      try {
        this.tokens.set(await this.client.refresh(current.refreshToken));
        return true;
      } catch {
        this.tokens.clear();
        return false;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }
}

function randomKey(prefix: string): string {
  return `${prefix}-${globalThis.crypto.randomUUID()}`;
}

/** The message to show for a refusal: the problem's own words when the API gave some. */
export function problemMessage(error: unknown, fallback: string): string {
  if (error instanceof MindBotApiError) {
    const fieldErrors = error.problem.errors?.map((e) => e.message).join(' ');
    return [error.problem.detail || error.problem.title, fieldErrors].filter(Boolean).join(' ');
  }
  return fallback;
}
