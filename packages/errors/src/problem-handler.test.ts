import express from 'express';
import { pinoHttp } from 'pino-http';
import request from 'supertest';
import { captureLogger } from '@mindbot/testing';
import { notFoundHandler, problemHandler } from './problem-handler.js';

/** The smallest app that reads bodies as the services do and answers errors through the problem handler. */
function appThat(failWith?: unknown) {
  const app = express();
  app.use(pinoHttp({ logger: captureLogger('problems').logger }));
  app.post('/json', express.json(), (_req, res) => void res.status(204).end());
  app.post('/form', express.urlencoded({ extended: false }), (_req, res) => void res.status(204).end());
  app.post('/raw', express.raw({ type: () => true }), (_req, res) => void res.status(204).end());
  app.get('/things/:id', (_req, res) => void res.status(204).end());
  app.get('/fail', () => {
    throw failWith;
  });
  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}

describe('problemHandler: what the HTTP layer refuses is a 4xx problem', () => {
  it.each(['/json', '/form', '/raw'])(
    'answers 400 for a %s body that does not decompress as its Content-Encoding says (gzip, br, deflate)',
    async (path) => {
      for (const encoding of ['gzip', 'br', 'deflate']) {
        const res = await request(appThat())
          .post(path)
          .set('Content-Type', path === '/form' ? 'application/x-www-form-urlencoded' : 'application/json')
          .set('Content-Encoding', encoding)
          .send('{"not":"compressed"}');
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ code: 'bad_request', detail: 'The request body is not encoded as its Content-Encoding says.' });
      }
    },
  );

  it('answers 415 for a Content-Encoding it does not know', async () => {
    const res = await request(appThat())
      .post('/json')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'x-bogus')
      .send('{}');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('unsupported_media_type');
  });

  it('answers 400 for a path parameter that is not valid percent-encoding', async () => {
    for (const id of ['%ZZ', '%FF%FE', '%']) {
      const res = await request(appThat()).get(`/things/${id}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'bad_request', detail: 'The request path is not valid percent-encoding.' });
    }
  });

  it('keeps a 4xx-looking error that did not come from the HTTP layer a 500 (a failed call to Stripe is our problem, not the client’s)', async () => {
    const fromAnSdk = Object.assign(new Error('No such customer'), { status: 400, statusCode: 400, type: 'StripeInvalidRequestError' });
    const res = await request(appThat(fromAnSdk)).get('/fail');
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: 'internal', detail: 'An unexpected error occurred.' });
  });
});
