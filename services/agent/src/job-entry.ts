import { type JobContext, defineAgent } from '@livekit/agents';
import { createLogger } from '@mindbot/logger';
import { loadAgentConfig } from './config.js';
import { checkDispatch } from './domain/dispatch.js';
import { runCall } from './domain/run-call.js';

// The module @livekit/agents imports in each job process (its default export is the agent). The
// worker already checked the dispatch before accepting; the job checks it again, since it is the
// one that acts on it.
export default defineAgent({
  entry: async (ctx: JobContext) => {
    const config = loadAgentConfig();
    const logger = createLogger({ name: 'agent', level: config.LOG_LEVEL, base: { region: config.MINDBOT_REGION, jobId: ctx.job.id } });
    const checked = checkDispatch(ctx.job.metadata, { name: ctx.job.room?.name, metadata: ctx.job.room?.metadata }, config.AGENT_TENANT);
    if (!checked.ok) {
      logger.error({ refusal: checked.refusal, room: ctx.job.room?.name }, 'job refused');
      ctx.shutdown(checked.refusal);
      return;
    }
    await runCall(ctx, checked.dispatch, config, logger);
  },
});
