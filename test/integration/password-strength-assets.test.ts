import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { TestBrowser } from '../support/browser.ts';
import { demo, required } from '../support/personas.ts';

const ctx = useTestApp();

describe('live password strength in the browser (zxcvbn from our origin)', () => {
  it.each(['core', 'common', 'fr'])(
    'serves the %s browser build as a cacheable script',
    async (name) => {
      const res = await ctx.app.inject({
        method: 'GET',
        url: `/static/zxcvbn/${name}/zxcvbn-ts.js`,
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/javascript/);
      expect(res.body).toContain('this.zxcvbnts = this.zxcvbnts || {};');
    },
  );

  it('publishes nothing else from the packages', async () => {
    for (const url of ['/static/zxcvbn/core/index.cjs', '/static/zxcvbn/fr/../package.json']) {
      expect((await ctx.app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
  });

  it('loads the bundles before the page’s module on a new-password page', async () => {
    const nathalie = demo('allocataire-non-migre');
    const b = new TestBrowser(ctx.app);
    await b.login(required(nathalie.nir, 'nir'), required(nathalie.legacyPassword, 'legacy'));
    const page = (await b.get('/premiere-connexion')).body;
    const order = ['core', 'common', 'fr'].map((n) =>
      page.indexOf(`/static/zxcvbn/${n}/zxcvbn-ts.js`),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((x, y) => x - y));
    expect(page.indexOf('/static/app/mot-de-passe.js')).toBeGreaterThan(order[2] ?? 0);
    expect(page).toContain('data-strength hidden');
  });
});
