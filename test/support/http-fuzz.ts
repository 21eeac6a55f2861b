import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

// Requests generated from an OpenAPI document and sent as raw bytes (so Host, framing, methods and
// encodings can be as wrong as a client on the internet makes them), from a seeded PRNG: the same
// seed sends the same requests.

export interface Random {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from nothing');
      return items[int(0, items.length - 1)] as T;
    },
    chance: (probability) => next() < probability,
  };
}

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
}

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: JsonSchema;
}

export interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      { 'x-mindbot-upstream'?: string; parameters?: OpenApiParameter[]; requestBody?: { content: Record<string, { schema?: JsonSchema }> } }
    >
  >;
  components: { schemas: Record<string, JsonSchema> };
}

export interface FuzzOperation {
  method: string;
  /** OpenAPI spelling: `/v1/api-keys/{id}`. */
  path: string;
  upstream: string | undefined;
  query: OpenApiParameter[];
  body: { mediaType: string; schema: JsonSchema | undefined } | undefined;
}

/** Every operation of the document, with what its request carries. */
export function operationsOf(doc: OpenApiDocument): FuzzOperation[] {
  const operations: FuzzOperation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const [mediaType, media] = Object.entries(operation.requestBody?.content ?? {})[0] ?? [];
      operations.push({
        method: method.toUpperCase(),
        path,
        upstream: operation['x-mindbot-upstream'],
        query: (operation.parameters ?? []).filter((p) => p.in === 'query'),
        body: mediaType === undefined ? undefined : { mediaType, schema: media?.schema },
      });
    }
  }
  return operations;
}

/** One process under test: where it listens, the host a tenant request names, and credentials that pass there. */
export interface FuzzDoor {
  name: string;
  port: number;
  host: string;
  credentials: readonly (readonly [string, string])[];
  operations: readonly FuzzOperation[];
  /** Share of the requests sent here. */
  weight: number;
  /** Ids of things that exist here, by path parameter name, used for a share of the requests (so the routes get past their 404). */
  known?: Record<string, readonly string[]>;
}

export interface FuzzRequest {
  door: string;
  /** The documented operation it was made from: `POST /v1/api-keys`. */
  operation: string;
  port: number;
  method: string;
  target: string;
  version: '1.0' | '1.1';
  headers: [string, string][];
  body: Buffer;
  /** The client stops sending before the body it announced is complete: no answer is acceptable. */
  truncated: boolean;
  /** What was made odd, for the report. */
  notes: string[];
}

const ODD_METHODS = [
  'PROPFIND',
  'FOO',
  'TRACE',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'HEAD',
  'MKCOL',
  'LOCK',
  'PURGE',
  'SEARCH',
  'M-SEARCH',
  'get',
  'CONNECT',
  'GET',
  'POST',
];
const NASTY_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\u0001\u001f\u007f',
  '\u001b[31m',
  'tab\tline\nreturn\r',
  '\u202e\u2028\u2029',
  '\ud800',
  '\udfff\ud800',
  '\ufeff',
  '',
  ' ',
  '%00',
  '\\u0000',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${7*7}{{7*7}}',
  '../../etc/passwd',
  'null',
  '0x10',
  '١٢٣',
  '😀'.repeat(50),
  'e\u0301\u0301\u0301',
];
const NASTY_VALUES: readonly unknown[] = [
  -1,
  0,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  true,
  false,
  null,
  [],
  {},
  [[[]]],
  { polluted: true },
  ['a', 1, null],
];
const PATH_VALUES = [
  'x',
  'pkg_starter',
  'con_00000000000000000000000000',
  'key_01hzzzzzzzzzzzzzzzzzzzzzzz',
  'vs_01hzzzzzzzzzzzzzzzzzzzzzzz',
  'usr_test',
  'example.test',
  '%00',
  'a%00b',
  '%01%1F%7F',
  '%ZZ',
  '%',
  '%2F',
  '..',
  '%2E%2E',
  '%C0%80',
  '%FF%FE',
  '%F0%9F%98%80',
  '%C3%BC',
  '%20',
  '%0A',
  '%09',
  ';x=1',
  '*',
  '@',
  '~',
  "'",
];
const CONTENT_TYPES = [
  'text/plain',
  '',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'application/json; charset=latin1',
  'application/problem+json',
  'application/json;;;',
  'garbage',
  '*/*',
  'application/json, text/plain',
  'APPLICATION/JSON',
  'application/xml',
];
const AUTHORIZATIONS: readonly (readonly [string, string])[] = [
  ['Authorization', 'Bearer '],
  ['Authorization', 'Bearer'],
  ['Authorization', 'Basic dXNlcjpwYXNz'],
  ['Authorization', 'Bearer not.a.jwt'],
  ['Authorization', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
  ['Authorization', `Bearer ${'a'.repeat(6000)}`],
  ['Authorization', 'Bearer mb_live_000000000000000000000000'],
  ['Authorization', 'Bearer %00'],
  ['X-Api-Key', 'mb_test_garbage'],
  ['X-Api-Key', ''],
];

type Mutable = Record<string, unknown> | unknown[];

function resolver(schemas: Record<string, JsonSchema>) {
  return (schema: JsonSchema | undefined): JsonSchema | undefined => {
    let current = schema;
    for (let hops = 0; current?.$ref !== undefined && hops < 10; hops++)
      current = schemas[current.$ref.replace('#/components/schemas/', '')];
    return current;
  };
}

function stringFor(schema: JsonSchema, name: string, random: Random): string {
  if (schema.format === 'uri') return random.pick(['http://127.0.0.1:9/idp', 'https://127.0.0.1:9/saml/metadata.xml']);
  if (schema.format === 'date-time' || schema.pattern?.includes('\\d{4}-') === true)
    return random.pick(['2031-01-01T00:00:00Z', '2020-02-29T12:00:00.000Z']);
  if (schema.format === 'email' || schema.pattern?.includes('@') === true || /email/i.test(name))
    return `fuzz${random.int(0, 999)}@example.test`;
  if (schema.pattern?.startsWith('^openid') === true) return 'openid email';
  const min = schema.minLength ?? 1;
  const max = Math.max(min, Math.min(schema.maxLength ?? 24, 24));
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-';
  let out = 'f';
  for (let i = 1; i < random.int(Math.max(min, 8), Math.max(max, 8)); i++) out += alphabet[random.int(0, alphabet.length - 1)] ?? 'x';
  return out;
}

/** A value the schema (roughly) accepts: most requests should get past validation, so the code behind it is reached. */
function valueFor(schema: JsonSchema | undefined, resolve: ReturnType<typeof resolver>, random: Random, name = '', depth = 0): unknown {
  const s = resolve(schema);
  if (!s || depth > 6) return 'x';
  if (s.const !== undefined) return s.const;
  if (s.enum && s.enum.length > 0) return random.pick(s.enum);
  const variants = s.oneOf ?? s.anyOf ?? s.allOf;
  if (variants && variants.length > 0) return valueFor(random.pick(variants), resolve, random, name, depth + 1);
  const type = Array.isArray(s.type) ? random.pick(s.type) : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(s.properties ?? {})) {
        if ((s.required ?? []).includes(key) || random.chance(0.6)) out[key] = valueFor(property, resolve, random, key, depth + 1);
      }
      return out;
    }
    case 'array': {
      const count = random.int(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 3));
      return Array.from({ length: count }, () => valueFor(s.items, resolve, random, name, depth + 1));
    }
    case 'integer':
    case 'number': {
      const min = s.minimum ?? 0;
      return random.int(min, Math.min(s.maximum ?? min + 1000, min + 1000));
    }
    case 'boolean':
      return random.chance(0.5);
    case 'string':
      return stringFor(s, name, random);
    default:
      return random.pick(['x', 1, true, null]);
  }
}

/** Containers inside `value`, each with its keys: where a mutation can land. */
function containersOf(value: unknown): Mutable[] {
  const found: Mutable[] = [];
  const stack: unknown[] = [value];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item === 'object' && item !== null) {
      found.push(item as Mutable);
      stack.push(...(Object.values(item) as unknown[]));
    }
  }
  return found;
}

function nastyValue(random: Random): unknown {
  const roll = random.next();
  if (roll < 0.45) return random.pick(NASTY_STRINGS);
  if (roll < 0.55) return 'x'.repeat(random.int(1_000, 90_000));
  if (roll < 0.6) return `${'\u0000'.repeat(3)}${'y'.repeat(random.int(10, 5_000))}`;
  return random.pick(NASTY_VALUES);
}

/** Zero to three changes that make a valid-looking body wrong: a field of the wrong type or with control characters, one more or one less. */
function mutate(value: unknown, random: Random, notes: string[]): unknown {
  if (random.chance(0.06)) {
    notes.push('body not an object');
    return random.pick<unknown>(['a string', 42, null, true, [], [{}], random.pick(NASTY_STRINGS)]);
  }
  const containers = containersOf(value);
  for (let i = random.int(0, 3); i > 0 && containers.length > 0; i--) {
    const target = random.pick(containers);
    const keys = Object.keys(target);
    const roll = random.next();
    if (Array.isArray(target)) {
      target.push(nastyValue(random));
      notes.push('array item');
    } else if (roll < 0.6 && keys.length > 0) {
      const key = random.pick(keys);
      target[key] = nastyValue(random);
      notes.push(`field ${key}`);
    } else if (roll < 0.8 && keys.length > 0) {
      const key = random.pick(keys);
      Reflect.deleteProperty(target, key);
      notes.push(`without ${key}`);
    } else {
      const key = random.pick(['extra', '__proto__', 'constructor', 'a\u0000b', '', 'k'.repeat(300), '\u001b']);
      Object.defineProperty(target, key, { value: nastyValue(random), enumerable: true, configurable: true, writable: true });
      notes.push('extra field');
    }
  }
  return value;
}

/** A JSON text that is no longer (valid, shallow, UTF-8) JSON. */
function brokenJson(text: string, random: Random, notes: string[]): Buffer {
  const depth = random.int(500, 40_000);
  const choices: [string, () => Buffer][] = [
    ['truncated JSON', () => Buffer.from(text.slice(0, random.int(0, Math.max(0, text.length - 1))))],
    ['trailing garbage', () => Buffer.from(`${text}}}]]`)],
    ['deep arrays', () => Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`)],
    ['deep objects', () => Buffer.from(`${'{"a":'.repeat(Math.floor(depth / 5))}1${'}'.repeat(Math.floor(depth / 5))}`)],
    ['deep but valid prefix', () => Buffer.from(`{"name":${'['.repeat(depth)}${']'.repeat(depth)}}`)],
    [
      'invalid UTF-8',
      () => Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]), Buffer.from('"}')]),
    ],
    ['raw NUL in JSON', () => Buffer.from(text.replace(/"([^"]*)"/, '"$1\u0000"'))],
    ['duplicate keys', () => Buffer.from(text.replace(/^\{/, '{"a":1,"a":2,'))],
    ['BOM', () => Buffer.from(`\ufeff${text}`)],
    ['UTF-16', () => Buffer.from(text, 'utf16le')],
    ['huge number', () => Buffer.from(text.replace(/\d+/, '1e400'))],
    ['empty', () => Buffer.alloc(0)],
    ['not JSON', () => Buffer.from('name=x&count=1')],
    ['top-level scalar', () => Buffer.from(random.pick(['"x"', '1', 'null', 'true', '[]']))],
  ];
  const [note, make] = random.pick(choices);
  notes.push(note);
  return make();
}

/** Every byte of the UTF-8 form but the unreserved ones as %XX (a lone surrogate becomes U+FFFD, as a browser sends it). */
function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8'))
    out += /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

function formBody(fields: string[], random: Random, notes: string[]): Buffer {
  const value = () =>
    random.pick([
      'PHNhbWxwOlJlc3BvbnNlLz4=',
      'PHg+PC94Pg==',
      '!!!not base64',
      percentEncode(random.pick(NASTY_STRINGS)),
      '%00',
      '%ZZ',
      'x'.repeat(random.int(1, 60_000)),
    ]);
  const parts = fields.map((f) => `${f}=${value()}`);
  if (random.chance(0.3)) {
    parts.push(random.pick(['&&&', '=', 'a=b=c', '__proto__[x]=1', `RelayState=${'%00'.repeat(5)}`, 'SAMLResponse=1&SAMLResponse=2']));
    notes.push('odd form');
  }
  return Buffer.from(parts.join('&'));
}

function queryOf(parameters: readonly OpenApiParameter[], resolve: ReturnType<typeof resolver>, random: Random, notes: string[]): string {
  const pairs: string[] = [];
  for (const p of parameters) {
    if (!p.required && random.chance(0.5)) continue;
    const plain = valueFor(p.schema, resolve, random, p.name);
    const value = random.chance(0.15)
      ? (notes.push(`query ${p.name}`),
        random.pick([
          '%00',
          '%ZZ',
          'a%00b',
          '%1B',
          percentEncode(random.pick(NASTY_STRINGS)),
          'x'.repeat(random.int(100, 6000)),
          '',
          '%C0%80',
        ]))
      : percentEncode(String(plain));
    pairs.push(`${p.name}=${value}`);
    if (random.chance(0.05)) pairs.push(`${p.name}=${value}`);
  }
  if (random.chance(0.1)) {
    pairs.push(
      random.pick([
        'x[y]=1',
        '__proto__[admin]=1',
        '=1',
        '&&',
        'a',
        'a=%',
        'a[]=1&a[]=2',
        'constructor[prototype][x]=1',
        `q=${'%FF'.repeat(10)}`,
      ]),
    );
    notes.push('odd query');
  }
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}

function encode(body: Buffer, random: Random, notes: string[], headers: [string, string][]): Buffer {
  const roll = random.next();
  if (roll > 0.2 || body.length === 0) return body;
  const [name, encoded] = random.pick<[string, () => Buffer]>([
    ['gzip', () => gzipSync(body)],
    ['gzip', () => body],
    ['gzip', () => gzipSync(body).subarray(0, Math.ceil(gzipSync(body).length / 2))],
    ['gzip', () => gzipSync(Buffer.alloc(4_000_000, 0x20))],
    ['br', () => brotliCompressSync(body)],
    ['br', () => body],
    ['deflate', () => deflateSync(body)],
    ['deflate', () => body],
    ['identity', () => body],
    ['zstd', () => body],
    ['gzip, br', () => body],
    ['x-bogus', () => body],
    ['GZIP', () => gzipSync(body)],
    ['', () => body],
  ]);
  notes.push(`Content-Encoding ${JSON.stringify(name)}`);
  headers.push(['Content-Encoding', name]);
  return encoded();
}

/** A request for one operation at one door: mostly well formed, with a few things (often one) made wrong. */
export function generateRequest(
  door: FuzzDoor,
  operation: FuzzOperation,
  schemas: Record<string, JsonSchema>,
  random: Random,
): FuzzRequest {
  const resolve = resolver(schemas);
  const notes: string[] = [];
  let method = operation.method;
  if (random.chance(0.07)) {
    method = random.pick(ODD_METHODS);
    notes.push('method');
  }
  const path = operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const known = door.known?.[name] ?? [];
    if (known.length > 0 && random.chance(0.5)) return random.pick(known);
    if (random.chance(0.2)) return 'x'.repeat(random.int(200, 9000));
    return random.pick(PATH_VALUES);
  });
  let target = `${path}${queryOf(operation.query, resolve, random, notes)}`;
  if (random.chance(0.03)) {
    target = random.pick([
      `http://${door.host}${target}`,
      `//${target}`,
      `${target}#frag`,
      target.toUpperCase(),
      `${target}/..`,
      `/%2e%2e${target}`,
      '*',
      target.slice(1),
    ]);
    notes.push('target');
  }
  const headers: [string, string][] = [];
  let version: '1.0' | '1.1' = '1.1';
  const hostRoll = random.next();
  if (hostRoll < 0.04) {
    version = '1.0';
    notes.push('HTTP/1.0 without Host');
  } else if (hostRoll < 0.14) {
    const host = random.pick([
      '',
      ' ',
      'unknown-tenant.localhost',
      `${door.host}:99999`,
      `${door.host}.`,
      door.host.toUpperCase(),
      '[::1]',
      '[::1]:80',
      '127.0.0.1',
      'a b',
      'x'.repeat(300),
      `${door.host}, other.test`,
      '%00',
      '_bad_',
      ':80',
      '[',
      'é.test',
      `${door.host}:`,
    ]);
    headers.push(['Host', host]);
    notes.push(`Host ${JSON.stringify(host)}`);
  } else {
    headers.push(['Host', door.host]);
  }
  if (random.chance(0.06)) {
    headers.push([
      random.pick(['X-Forwarded-Host', 'X-Forwarded-For', 'X-Forwarded-Proto', 'Forwarded']),
      random.pick(['', ',', ' , ', 'other.test', '%00', 'a b', '::1, 10.0.0.1', 'x'.repeat(500), 'for=unknown;host=x']),
    ]);
    notes.push('forwarded');
  }
  const authRoll = random.next();
  if (authRoll < 0.7 && door.credentials.length > 0) {
    const [name, value] = random.pick(door.credentials);
    headers.push([name, value]);
  } else if (authRoll < 0.85) {
    const [name, value] = random.pick(AUTHORIZATIONS);
    headers.push([name, value]);
    notes.push('credential');
  }
  if (random.chance(0.1)) {
    const header = random.pick<[string, string]>([
      ['X-Request-Id', random.pick(['', 'a b', 'x'.repeat(2000), '../..', 'ok-id'])],
      ['traceparent', random.pick(['00-zz-zz-01', '00-00000000000000000000000000000000-0000000000000000-00', 'x'.repeat(300)])],
      ['Origin', random.pick(['null', 'http://evil.test', 'garbage', `http://${door.host}`, ''])],
      ['Accept', random.pick(['text/html', '*/*;q=x', '', 'application/json;q=0'])],
      ['Cookie', random.pick(['a=%00', '=;=;', 'x'.repeat(4000)])],
      ['Expect', random.pick(['100-continue', 'something-else'])],
      ['Range', 'bytes=0-0,-1'],
      ['X-Fuzz', 'a\u0001b'],
      ['X-Fuzz', 'é\u00ff'],
      ['X-Big', 'x'.repeat(20_000)],
      ['Content-Type', 'application/json'],
    ]);
    headers.push(header);
    notes.push(`header ${header[0]}`);
  }

  let body: Buffer = Buffer.alloc(0);
  const wantsBody = operation.body !== undefined ? random.chance(0.93) : random.chance(0.12);
  if (wantsBody) {
    const mediaType = operation.body?.mediaType ?? 'application/json';
    if (mediaType === 'application/x-www-form-urlencoded') {
      const schema = resolve(operation.body?.schema);
      body = formBody(Object.keys(schema?.properties ?? { SAMLResponse: {} }), random, notes);
    } else {
      const value = mutate(
        valueFor(operation.body?.schema ?? { type: 'object', properties: { name: { type: 'string' } } }, resolve, random),
        random,
        notes,
      );
      const text = JSON.stringify(value);
      body = random.chance(0.15) ? brokenJson(text, random, notes) : Buffer.from(text);
    }
    let type = mediaType;
    if (random.chance(0.12)) {
      type = random.pick(CONTENT_TYPES);
      notes.push(`Content-Type ${JSON.stringify(type)}`);
    }
    if (type !== '' || random.chance(0.5)) headers.push(['Content-Type', type]);
    body = encode(body, random, notes, headers);
  }

  let truncated = false;
  const framing = random.next();
  if (framing < 0.05) {
    headers.push(['Transfer-Encoding', 'chunked']);
    const chunked =
      body.length === 0
        ? Buffer.from('0\r\n\r\n')
        : Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
    body = random.chance(0.3) ? Buffer.concat([Buffer.from('zz\r\n'), body]) : chunked;
    notes.push('chunked');
  } else if (framing < 0.12) {
    const choice = random.int(0, 6);
    notes.push('Content-Length');
    if (choice === 0) {
      headers.push(['Content-Length', String(body.length + random.int(1, 50))]);
      truncated = true;
    } else if (choice === 1) {
      headers.push(['Content-Length', String(Math.max(0, body.length - random.int(1, 20)))]);
    } else if (choice === 2) {
      headers.push(['Content-Length', '-1']);
    } else if (choice === 3) {
      headers.push(['Content-Length', 'abc']);
    } else if (choice === 4) {
      headers.push(['Content-Length', String(body.length)], ['Content-Length', String(body.length + 1)]);
    } else if (choice === 5) {
      headers.push(['Content-Length', '99999999999999999999999']);
      truncated = true;
    } else {
      headers.push(['Content-Length', String(body.length)], ['Transfer-Encoding', 'chunked']);
    }
  } else if (body.length > 0 || ['POST', 'PUT', 'PATCH'].includes(method)) {
    headers.push(['Content-Length', String(body.length)]);
  }
  return {
    door: door.name,
    operation: `${operation.method} ${operation.path}`,
    port: door.port,
    method,
    target,
    version,
    headers,
    body,
    truncated,
    notes,
  };
}

/**
 * `count` requests, the same ones for the same seed: first one for each operation at each door (so
 * any run that sends that many has walked every route), then operations at random, doors by weight.
 */
export function generateRequests(
  doors: readonly FuzzDoor[],
  schemas: Record<string, JsonSchema>,
  seed: number,
  count: number,
): FuzzRequest[] {
  const random = seededRandom(seed);
  const total = doors.reduce((sum, d) => sum + d.weight, 0);
  const requests: FuzzRequest[] = doors
    .flatMap((door) => door.operations.map((operation) => generateRequest(door, operation, schemas, random)))
    .slice(0, count);
  while (requests.length < count) {
    let roll = random.next() * total;
    const door = doors.find((d) => (roll -= d.weight) < 0) ?? doors[doors.length - 1];
    if (!door || door.operations.length === 0) continue;
    requests.push(generateRequest(door, random.pick(door.operations), schemas, random));
  }
  return requests;
}

export interface Answer {
  /** The final status (after any 1xx), or undefined when none came. */
  status: number | undefined;
  timedOut: boolean;
  /** The start of the answer's body. */
  excerpt: string;
}

function serialize(request: FuzzRequest): Buffer {
  const head = `${request.method} ${request.target} HTTP/${request.version}\r\n${request.headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}Connection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), request.body]);
}

function parseAnswer(bytes: Buffer, timedOut: boolean): Answer {
  const text = bytes.toString('latin1');
  let offset = 0;
  for (;;) {
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(text.slice(offset));
    const end = text.indexOf('\r\n\r\n', offset);
    if (!match || end < 0) return { status: undefined, timedOut, excerpt: text.slice(0, 300) };
    const status = Number(match[1]);
    if (status >= 200) return { status, timedOut, excerpt: text.slice(end + 4, end + 304) };
    offset = end + 4;
  }
}

/** Sends the bytes as they are on a fresh connection and reads the answer until the server closes it. */
export function sendRaw(request: FuzzRequest, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ port: request.port, host: '127.0.0.1' });
    let settled = false;
    const finish = (timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(Buffer.concat(chunks), timedOut));
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on('connect', () => {
      socket.write(serialize(request));
      // The announced body never comes: the client gives up (Node aborts the request on the FIN).
      if (request.truncated) socket.end();
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

/** The request as a reader can replay it: door, request line, headers, the start of the body, and what came back. */
export function describeRequest(request: FuzzRequest, answer: Answer): string {
  const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
  const headers = request.headers.map(([n, v]) => `${n}: ${JSON.stringify(clip(v, 80))}`).join('; ');
  const outcome =
    answer.status !== undefined ? `answered ${answer.status}` : answer.timedOut ? 'no answer in time' : 'closed without an answer';
  return [
    `${request.door}: ${request.method} ${clip(request.target, 160)} HTTP/${request.version} (${request.notes.join(', ') || 'well formed'})`,
    `  headers: ${headers}`,
    `  body (${request.body.length} bytes): ${JSON.stringify(clip(request.body.toString('latin1'), 200))}`,
    `  → ${outcome}: ${JSON.stringify(answer.excerpt.slice(0, 300))}`,
  ].join('\n');
}

/** A request fails when it gets a 5xx, or no answer although it was complete (a hang or a dropped connection). */
export function failed(request: FuzzRequest, answer: Answer): boolean {
  if (answer.status !== undefined) return answer.status >= 500;
  return !request.truncated && request.method !== 'CONNECT';
}

export interface FuzzOutcome {
  failures: string[];
  /** How many were sent before the deadline (the first ones, in order). */
  sent: number;
  /** Answers by status (`none` for no answer). */
  statuses: Record<string, number>;
}

/**
 * Sends the requests in order, `concurrency` at a time, none started after `deadline` (a time from
 * Date.now(): the run is bounded on a busy machine), and reports each one that failed, by what it was.
 */
export async function runFuzz(
  requests: readonly FuzzRequest[],
  options: { concurrency: number; timeoutMs: number; deadline?: number; explain?: (answer: Answer) => string },
): Promise<FuzzOutcome> {
  const failures: string[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  let sent = 0;
  const worker = async () => {
    for (let i = next++; i < requests.length && Date.now() < (options.deadline ?? Infinity); i = next++) {
      const request = requests[i];
      if (!request) continue;
      const answer = await sendRaw(request, options.timeoutMs);
      sent++;
      const key = answer.status === undefined ? 'none' : String(answer.status);
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (failed(request, answer)) failures.push(`#${i} ${describeRequest(request, answer)}${options.explain?.(answer) ?? ''}`);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { failures, statuses, sent };
}
