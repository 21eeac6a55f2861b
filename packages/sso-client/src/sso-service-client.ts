import { ownersInvitedSchema } from '@mindbot/sdk/schemas';

export interface OwnersInvited {
  invited: string[];
  skipped: string[];
}

/** SSO answered something other than success (its status and problem detail), or could not be reached (status undefined). */
export class SsoServiceError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SsoServiceError';
  }
}

/** SSO's internal API as provisioning calls it, with a service token SSO accepts (SSO_SERVICE_TOKENS). */
export class SsoServiceClient {
  constructor(
    private readonly baseUrl: URL,
    private readonly serviceToken: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Invites each email as an owner unless it already is one or has a pending invitation (idempotent). */
  async inviteOwners(tenant: string, emails: readonly string[]): Promise<OwnersInvited> {
    const url = new URL(`/internal/v1/tenants/${encodeURIComponent(tenant)}/owners/invite`, this.baseUrl);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.serviceToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ emails }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new SsoServiceError(`SSO at ${this.baseUrl.origin} could not be reached`, undefined, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) throw new SsoServiceError(`SSO answered ${response.status}: ${detailOf(text)}`, response.status);
    return ownersInvitedSchema.parse(JSON.parse(text));
  }
}

function detailOf(text: string): string {
  try {
    const problem = JSON.parse(text) as { detail?: unknown; title?: unknown };
    const said = typeof problem.detail === 'string' ? problem.detail : typeof problem.title === 'string' ? problem.title : text;
    return said.slice(0, 300);
  } catch {
    return text.slice(0, 300);
  }
}
