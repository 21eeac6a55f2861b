import { AccessToken, RoomAgentDispatch, RoomServiceClient, WebhookReceiver, type WebhookEvent } from 'livekit-server-sdk';
import { z } from 'zod';
import type { AgentDispatch } from '@mindbot/sdk/agent-job';
import { dedicatedAgentName, roomNameOf } from '@mindbot/tenancy';

export interface LiveKitSettings {
  /** As clients reach it (ws/wss). */
  url: string;
  /** As the gateway calls its API (http/https). */
  apiUrl: string;
  apiKey: string;
  apiSecret: string;
  /** The region's shared worker pool, for tenants whose plan says `agentPool: shared`. */
  sharedPoolName: string;
  /** Every tenant on the shared pool whatever its plan (one worker for all: local development). */
  sharedPoolOnly?: boolean;
  tokenTtlSeconds: number;
}

/** What the gateway writes into a room's metadata: enough to settle the session from a webhook alone. */
export const roomMetadataSchema = z.object({ tenant: z.string(), userId: z.string(), sessionId: z.string(), startedAt: z.string() });
export type RoomMetadata = z.output<typeof roomMetadataSchema>;

/** LiveKit: one room per voice session, the tenant's agent dispatched into it, a token for the user. */
export class VoiceRooms {
  private readonly rooms: RoomServiceClient;
  private readonly receiver: WebhookReceiver;

  constructor(private readonly settings: LiveKitSettings) {
    this.rooms = new RoomServiceClient(settings.apiUrl, settings.apiKey, settings.apiSecret);
    this.receiver = new WebhookReceiver(settings.apiKey, settings.apiSecret);
  }

  /** The agent name that serves a tenant: its dedicated workers', or the region's shared pool's. */
  agentNameFor(tenant: string, pool: 'dedicated' | 'shared'): string {
    return pool === 'shared' || this.settings.sharedPoolOnly === true ? this.settings.sharedPoolName : dedicatedAgentName(tenant);
  }

  /**
   * Creates the room (at most the user and the agent), dispatches the tenant's agent with the call's
   * dispatch (persona and the job's own billing credential: dispatch metadata reaches only the worker
   * that takes the job, never the room's participants), and answers a join token for that room only.
   */
  async open(input: {
    metadata: RoomMetadata;
    agentName: string;
    dispatch: AgentDispatch;
  }): Promise<{ room: string; token: string; tokenExpiresAt: Date }> {
    const room = roomNameOf(input.metadata.tenant, input.metadata.sessionId);
    const metadata = JSON.stringify(input.metadata);
    // The agent's dispatch goes with the room: one call to LiveKit instead of two on every start.
    const agent = new RoomAgentDispatch({ agentName: input.agentName, metadata: JSON.stringify(input.dispatch) });
    await this.rooms.createRoom({ name: room, emptyTimeout: 120, departureTimeout: 20, maxParticipants: 2, metadata, agents: [agent] });
    const token = await this.tokenFor(room, input.metadata.userId, input.metadata);
    return { room, token, tokenExpiresAt: new Date(Date.now() + this.settings.tokenTtlSeconds * 1000) };
  }

  /** A join token limited to `room`, for `identity`. */
  tokenFor(room: string, identity: string, metadata: RoomMetadata): Promise<string> {
    const token = new AccessToken(this.settings.apiKey, this.settings.apiSecret, {
      identity,
      ttl: this.settings.tokenTtlSeconds,
      metadata: JSON.stringify({ tenant: metadata.tenant, sessionId: metadata.sessionId }),
    });
    token.addGrant({
      room,
      roomJoin: true,
      canPublish: true,
      canSubscribe: true,
      canPublishData: true,
      roomCreate: false,
      roomAdmin: false,
      roomList: false,
    });
    return token.toJwt();
  }

  /** The metadata of a live room, or undefined when LiveKit has no such room. */
  async metadataOf(room: string): Promise<RoomMetadata | undefined> {
    const [found] = await this.rooms.listRooms([room]);
    if (!found) return undefined;
    const parsed = roomMetadataSchema.safeParse(safeJson(found.metadata));
    return parsed.success ? parsed.data : undefined;
  }

  async close(room: string): Promise<void> {
    await this.rooms.deleteRoom(room);
  }

  /** Verifies LiveKit's signature (Authorization header: a JWT over the body's sha256). */
  receive(rawBody: string, authorization: string | undefined): Promise<WebhookEvent> {
    return this.receiver.receive(rawBody, authorization);
  }
}

export function safeJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
