import type { JobSessionState } from '@mindbot/sdk/agent-job';
import type { Logger } from '@mindbot/logger';
import { BillingError, type BillingJobClient } from '@mindbot/billing-client';

export interface CallMeterEvents {
  /** Billing answered `warn`: little time is left (said once per call). */
  onWarn: (remainingSeconds: number) => void;
  /** The time is spent (at `elapsedSeconds`), or billing ended the session elsewhere: the call must end. */
  onStop: (elapsedSeconds: number, why: 'balance_exhausted' | 'session_ended') => void;
}

/**
 * Meters a call to the second while the user is in the room: a heartbeat with the cumulative
 * seconds every interval, and a timer at the exact second the balance runs out, so the call ends at
 * zero rather than at the next heartbeat. Billing settles each heartbeat; a retried or late one is
 * harmless (cumulative), and while billing is unreachable the call goes on and the next heartbeat
 * settles everything since.
 */
export class CallMeter {
  private readonly joinedAt: number;
  private timer: NodeJS.Timeout | undefined;
  private cutOff: NodeJS.Timeout | undefined;
  private warned = false;
  private stopped = false;
  /** The cumulative second at which the balance runs out, as of the last heartbeat. */
  private exhaustedAt: number | undefined;

  constructor(
    private readonly billing: BillingJobClient,
    private readonly intervalMs: number,
    private readonly events: CallMeterEvents,
    private readonly logger: Logger,
    now: number = Date.now(),
  ) {
    this.joinedAt = now;
  }

  /** Whole seconds since the user joined: what the call is charged for. */
  elapsedSeconds(): number {
    return this.capped(Math.floor((Date.now() - this.joinedAt) / 1000));
  }

  start(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
  }

  /**
   * Stops heartbeats and the cut-off timer; answers the seconds to settle the call with: whole
   * seconds since the user joined (rounded down, like every heartbeat, so no second is charged
   * before it was used), never past the second the balance ran out.
   */
  stop(): number {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.cutOff);
    return this.elapsedSeconds();
  }

  /** Never past the second the balance ran out. */
  private capped(seconds: number): number {
    return this.exhaustedAt === undefined ? seconds : Math.min(seconds, this.exhaustedAt);
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    const elapsed = this.elapsedSeconds();
    let state: JobSessionState;
    try {
      state = await this.billing.heartbeat(elapsed);
    } catch (error) {
      if (error instanceof BillingError && (error.status === 401 || error.status === 404)) {
        // Settled elsewhere (LiveKit's webhook, the sweeper, or the user's hang-up through the gateway).
        this.finish(elapsed, 'session_ended');
        return;
      }
      this.logger.warn({ err: error, elapsedSeconds: elapsed }, 'heartbeat failed; the next one settles this time too');
      return;
    }
    if (!this.running) return;
    if (state.status === 'ended' || state.action === 'stop') {
      this.finish(
        Math.min(elapsed, state.settledSeconds + state.remainingSeconds),
        state.status === 'ended' && state.endReason !== 'balance_exhausted' ? 'session_ended' : 'balance_exhausted',
      );
      return;
    }
    this.scheduleCutOff(elapsed + state.remainingSeconds);
    if (state.action === 'warn' && !this.warned) {
      this.warned = true;
      this.events.onWarn(state.remainingSeconds);
    }
  }

  private scheduleCutOff(exhaustedAt: number): void {
    this.exhaustedAt = exhaustedAt;
    clearTimeout(this.cutOff);
    const inMs = this.joinedAt + exhaustedAt * 1000 - Date.now();
    this.cutOff = setTimeout(() => this.finish(exhaustedAt, 'balance_exhausted'), Math.max(0, inMs));
  }

  /** Read after awaits: the call may have ended while a heartbeat was on its way. */
  private get running(): boolean {
    return !this.stopped;
  }

  private finish(elapsedSeconds: number, why: 'balance_exhausted' | 'session_ended'): void {
    if (this.stopped) return;
    this.stop();
    this.events.onStop(elapsedSeconds, why);
  }
}
