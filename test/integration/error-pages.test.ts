// Issue 13 item 9: errors raised before there is a request (a 431 for huge headers) answer the
// French page, not Fastify's English JSON; a 500 page never shows a stack trace, even in
// development; /sante answers JSON whatever happens.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { TestBrowser } from '../support/browser.ts';
import { persona } from '../support/personas.ts';

const ctx = useTestApp({ NODE_ENV: 'development', LOG_LEVEL: 'silent' });

/** One raw HTTP/1.1 exchange over a loopback socket: what Node's parser does before Fastify. */
async function rawExchange(request: string): Promise<string> {
  await ctx.app.listen({ port: 0, host: '127.0.0.1' }).catch(() => undefined);
  const address = ctx.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end(request);
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
    });
    socket.on('close', () => {
      resolve(answer);
    });
    socket.on('error', reject);
  });
}

function parts(answer: string): { status: string; headers: string; body: string } {
  const [head = '', ...rest] = answer.split('\r\n\r\n');
  const [status = '', ...headers] = head.split('\r\n');
  return { status, headers: headers.join('\n').toLowerCase(), body: rest.join('\r\n\r\n') };
}

describe('errors before there is a request', () => {
  it('answers headers too large with a French HTML 431 page', async () => {
    const answer = parts(
      await rawExchange(
        `GET /connexion HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: x=${'a'.repeat(40_000)}\r\n\r\n`,
      ),
    );
    expect(answer.status).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer.headers).toContain('content-type: text/html; charset=utf-8');
    expect(answer.headers).toContain('cache-control: no-store');
    expect(answer.body).toContain('<html lang="fr">');
    expect(answer.body).toContain('Requête trop volumineuse');
    expect(answer.body).toContain('Supprimez les cookies de ce site');
    expect(answer.body).not.toContain('Exceeded maximum');
    expect(Buffer.byteLength(answer.body)).toBe(
      Number(/content-length: (\d+)/.exec(answer.headers)?.[1]),
    );
  });

  it('answers a malformed request with the French 400 page', async () => {
    const answer = parts(await rawExchange('NOT-HTTP\r\n\r\n'));
    expect(answer.status).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer.body).toContain('Requête invalide');
    expect(answer.body).not.toContain('Client Error');
  });
});

describe('a 500 in development', () => {
  it('shows the French page without the stack trace or the error message', async () => {
    const b = new TestBrowser(ctx.app);
    const camille = persona('allocataire-migre');
    expect((await b.login(camille.nir, camille.password)).headers.location).toBe('/mon-compte');
    // A real failure that is no outage: a table the page reads is gone.
    await ctx.pool.query('ALTER TABLE dossiers RENAME TO dossiers_hidden');
    try {
      const res = await b.get('/mon-compte');
      expect(res.statusCode).toBe(500);
      expect(res.body).toContain('Erreur inattendue');
      expect(res.body).not.toMatch(/\.ts:\d+|node_modules|^\s+at /m);
      expect(res.body).not.toContain('dossiers');
      expect(res.body).not.toContain('<pre');
    } finally {
      await ctx.pool.query('ALTER TABLE dossiers_hidden RENAME TO dossiers');
    }
  });
});

describe('/sante', () => {
  it('answers JSON on every path, error pages included', async () => {
    const ok = await new TestBrowser(ctx.app).get('/sante');
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ status: 'ok' });
    const wrongMethod = await ctx.app.inject({ method: 'POST', url: '/sante' });
    expect(wrongMethod.statusCode).toBeGreaterThanOrEqual(400);
    expect(wrongMethod.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(wrongMethod.body)).toEqual({ status: 'error' });
  });
});
