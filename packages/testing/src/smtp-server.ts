import type { AddressObject } from 'mailparser';
import { freePort } from './free-port.js';

/** A message the test SMTP server accepted, as a mail client would show it. */
export interface DeliveredMail {
  /** Envelope recipients (RCPT TO), lower case. */
  to: string[];
  from: { name: string; address: string };
  subject: string;
  text: string;
  html: string | undefined;
  /** The user the sender authenticated as, when it did. */
  user: string | undefined;
  /** The Message-ID header. */
  messageId: string | undefined;
}

export interface TestSmtpServer {
  /** `smtp://…` for SMTP_URL (with the credentials, when the server requires them). */
  url: string;
  port: number;
  /** Every message accepted so far, oldest first. */
  messages: readonly DeliveredMail[];
  /** The first message to `to` (that `predicate` accepts), delivered already or within `timeoutMs`. */
  waitFor(to: string, predicate?: (mail: DeliveredMail) => boolean, timeoutMs?: number): Promise<DeliveredMail>;
  stop(): Promise<void>;
}

function firstAddress(header: AddressObject | AddressObject[] | undefined): { name: string; address: string } {
  const first = (Array.isArray(header) ? header[0] : header)?.value[0];
  return { name: first?.name ?? '', address: first?.address ?? '' };
}

/**
 * A real SMTP server (nodemailer's smtp-server) on a free loopback port, without TLS, that parses
 * every message it accepts (mailparser) and keeps it for the test to read. With `auth`, only those
 * credentials may send; without, anyone may.
 */
export async function startSmtpServer(options: { auth?: { user: string; pass: string } } = {}): Promise<TestSmtpServer> {
  // Loaded here, not at the top: every test imports this package's index, few send mail.
  const [{ SMTPServer }, { simpleParser }] = await Promise.all([import('smtp-server'), import('mailparser')]);
  const port = await freePort();
  const messages: DeliveredMail[] = [];
  const waiters = new Set<() => void>();
  const { auth } = options;
  const server = new SMTPServer({
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(credentials, _session, callback) {
      if (auth && credentials.username === auth.user && credentials.password === auth.pass) callback(null, { user: credentials.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          messages.push({
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            from: firstAddress(parsed.from),
            subject: parsed.subject ?? '',
            messageId: parsed.messageId,
            text: parsed.text ?? '',
            html: parsed.html === false ? undefined : parsed.html,
            user: session.user,
          });
          for (const wake of waiters) wake();
          callback();
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const credentials = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@` : '';
  return {
    url: `smtp://${credentials}127.0.0.1:${port}`,
    port,
    messages,
    waitFor(to, predicate = () => true, timeoutMs = 5_000) {
      const wanted = to.toLowerCase();
      const find = () => messages.find((m) => m.to.includes(wanted) && predicate(m));
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = find();
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`No message to ${to} arrived within ${timeoutMs} ms (${messages.length} delivered to others)`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
