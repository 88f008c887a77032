import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

function checkCycles(dir: string) {
  return spawnSync(process.execPath, ['scripts/check-import-cycles.mjs', dir], {
    encoding: 'utf8',
  });
}

describe('scripts/check-import-cycles.mjs', () => {
  it('fails on two modules that import each other, type-only included', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cycles-'));
    try {
      writeFileSync(
        path.join(dir, 'a.ts'),
        "import type { B } from './b.ts';\nexport type A = B;\n",
      );
      writeFileSync(
        path.join(dir, 'b.ts'),
        "import type { A } from './a.ts';\nexport type B = A;\n",
      );
      const run = checkCycles(dir);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('Import loop');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes on src/', () => {
    expect(checkCycles('src').status).toBe(0);
  });
});

describe('the layering rule (eslint.config.js)', () => {
  const eslint = new ESLint();
  const restricted = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath });
    return (result?.messages ?? [])
      .filter((m) => m.ruleId === 'no-restricted-imports')
      .map((m) => m.message);
  };

  it('keeps data, the dependency bag and other journeys out of a journey', async () => {
    const messages = await restricted(
      'src/http/journeys/sante/routes.ts',
      [
        "import type { Pool } from '#src/db/pool.ts';",
        "import type { Deps } from '#src/services/deps.ts';",
        "import type { LOGIN_FAILED } from '../connexion/routes.ts';",
        "import type { paths } from '../../paths.ts';",
        'export type T = [Pool, Deps, typeof LOGIN_FAILED, typeof paths];',
        '',
      ].join('\n'),
    );
    expect(messages).toHaveLength(3);
  }, 60_000);

  it('keeps the domain pure and data access below services', async () => {
    const domain = await restricted(
      'src/domain/nir.ts',
      "import type { Deps } from '../services/deps.ts';\nexport type T = Deps;\n",
    );
    const db = await restricted(
      'src/db/pool.ts',
      "import type { UseCases } from '#src/services/use-cases.ts';\nexport type T = UseCases;\n",
    );
    expect([domain.length, db.length]).toEqual([1, 1]);
  }, 60_000);
});
