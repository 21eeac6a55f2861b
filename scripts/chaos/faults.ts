// The faults, each injected while the load runs: what is broken, for how long, and when it is back.
import type { ChaosPlatform } from './platform.js';

export type FaultName = 'postgres-restart' | 'redis-restart' | 'billing-kill' | 'livekit-kill' | 'agent-kill';

export interface Fault {
  name: FaultName;
  /** One line for the report. */
  what: string;
  /** Why it cannot run on this machine (a tool not built), or undefined. */
  unavailable(platform: ChaosPlatform): string | undefined;
  /** Breaks it, waits `downMs`, brings it back; resolves when it answers again. */
  inject(platform: ChaosPlatform, downMs: number): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const FAULTS: Fault[] = [
  {
    name: 'postgres-restart',
    what: 'PostgreSQL fast shutdown (every connection cut), down, started again',
    unavailable: () => undefined,
    inject: (platform, downMs) => platform.postgres.restart(downMs),
  },
  {
    name: 'redis-restart',
    what: 'redis-server killed (SIGKILL, nothing saved), down, started again empty',
    unavailable: () => undefined,
    inject: (platform, downMs) => platform.redis.restart(downMs),
  },
  {
    name: 'billing-kill',
    what: 'billing killed (SIGKILL: in-flight requests lost, nothing drained), down, started again',
    unavailable: () => undefined,
    async inject(platform, downMs) {
      const billing = platform.services.billing;
      if (!billing) throw new Error('billing is not running');
      await billing.kill();
      await sleep(downMs);
      await billing.start();
    },
  },
  {
    name: 'livekit-kill',
    what: 'livekit-server killed (SIGKILL: rooms gone), down, started again',
    unavailable: (platform) => (platform.livekit ? undefined : 'livekit-server is not built (npm run tools -- livekit-server)'),
    async inject(platform, downMs) {
      const livekit = platform.livekit;
      if (!livekit) throw new Error('livekit-server is not running');
      await livekit.kill();
      await sleep(downMs);
      await livekit.start();
    },
  },
  {
    name: 'agent-kill',
    what: 'the agent worker killed (SIGKILL, its job processes too), down, started again',
    unavailable: (platform) => (platform.services.agent ? undefined : 'no agent worker (it needs livekit-server)'),
    async inject(platform, downMs) {
      const agent = platform.services.agent;
      if (!agent) throw new Error('the agent worker is not running');
      await agent.kill();
      await sleep(downMs);
      await agent.start();
    },
  },
];
