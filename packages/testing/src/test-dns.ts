import DNS from 'dns2';
import { freePort } from './free-port.js';

export interface TestDns {
  /** `host:port`, for SSO_DNS_SERVERS. */
  server: string;
  /** TXT records served, by lower-case name; set or delete at any time. */
  records: Map<string, string>;
  close(): Promise<void>;
}

/** A DNS server on loopback answering the TXT records a test sets, so domain verification needs no internet. */
export async function startTestDns(): Promise<TestDns> {
  const port = await freePort();
  const records = new Map<string, string>();
  const dns = DNS.createServer({
    udp: true,
    handle: (query, send) => {
      const response = DNS.Packet.createResponseFromRequest(query);
      for (const question of query.questions) {
        const value = records.get(question.name.toLowerCase());
        if (value)
          response.answers.push(
            new DNS.Packet.Resource({ name: question.name, type: DNS.Packet.TYPE.TXT, class: DNS.Packet.CLASS.IN, ttl: 5, data: value }),
          );
      }
      void send(response);
    },
  });
  await dns.listen({ udp: { port, address: '127.0.0.1' } });
  return { server: `127.0.0.1:${port}`, records, close: () => dns.close() };
}
