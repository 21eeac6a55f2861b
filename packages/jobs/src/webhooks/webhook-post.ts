import http from 'node:http';
import https from 'node:https';
import { pinnedLookup, refusedLiteralHost, type TargetPolicy } from './webhook-targets.js';

export interface PostOutcome {
  /** 2xx: delivered. Anything else, including a redirect (never followed), is a failure. */
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * One POST to a receiver: the connection goes only to an address the policy allows, the whole
 * exchange is bounded by `timeoutMs`, redirects are not followed, and at most a few kB of the
 * answer are read (nothing of it is kept).
 */
export function postWebhook(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: TargetPolicy & { timeoutMs: number },
): Promise<PostOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const refused = refusedLiteralHost(url, options);
  if (refused) return Promise.resolve({ ok: false, status: null, error: `target refused: ${refused}`, durationMs: 0 });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<PostOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, durationMs: elapsed() });
    };
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'MindBot-Webhooks/1',
        },
        lookup: pinnedLookup(options),
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > 16 * 1024) res.destroy();
        });
        const done = () =>
          finish(
            status >= 200 && status < 300
              ? { ok: true, status, error: null }
              : { ok: false, status, error: status >= 300 && status < 400 ? 'redirects are not followed' : `answered ${status}` },
          );
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, status: null, error: `no answer within ${options.timeoutMs} ms` });
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({ ok: false, status: null, error: error.code === 'EWEBHOOKTARGET' ? `target refused: ${error.message}` : error.message }),
    );
    req.end(body);
  });
}
