// The chaos run's HTTP client.
import { Agent, request as httpRequest } from 'node:http';

// node:http rather than fetch: fetch drops the Host header, and the gateway resolves the tenant from it.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One request; status 0 when no answer came within 10 s (refused, reset, timed out). */
export function request(
  url: string,
  init: { method?: string; headers: Record<string, string>; body?: unknown },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = init.body === undefined ? undefined : JSON.stringify(init.body);
  return new Promise((resolve) => {
    const req = httpRequest(
      url,
      {
        method: init.method ?? 'GET',
        agent,
        timeout: 10_000,
        headers: {
          ...init.headers,
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.once('error', () => resolve({ status: 0, body: {} }));
        res.once('end', () => {
          let body: Record<string, unknown> = {};
          try {
            body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            // not JSON: the status says enough
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.once('timeout', () => req.destroy(new Error('timed out')));
    req.once('error', () => resolve({ status: 0, body: {} }));
    req.end(payload);
  });
}
