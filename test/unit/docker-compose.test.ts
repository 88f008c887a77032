import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { projectRoot } from '#src/config.ts';

// No Docker engine on the development machines: this keeps docker-compose.yml honest anyway.
// `yaml` refuses duplicate keys (a merge once left two PUBLIC_URL lines, the last one winning).
const service = z.object({
  environment: z.record(z.string(), z.string()).optional(),
  ports: z.array(z.string()).optional(),
  profiles: z.array(z.string()).optional(),
  deploy: z.object({ replicas: z.number() }).optional(),
});
const compose = z.object({ services: z.record(z.string(), service) });

function load() {
  return compose.parse(parse(readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8')));
}

describe('docker-compose.yml', () => {
  it('puts one proxy port in front of replicas that publish none, all pinned to that origin', () => {
    const { services } = load();
    const app = services.app;
    expect(app?.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(app?.ports).toBeUndefined();
    expect(services.proxy?.ports).toEqual(['8080:8080']);
    expect(app?.environment?.NODE_ENV).toBe('production');
    expect(app?.environment?.PUBLIC_URL).toBe('${PUBLIC_URL:-http://localhost:8080}');
  });

  it('loads demo data only through an opt-in job', () => {
    const { services } = load();
    expect(services['demo-data']?.profiles).toEqual(['demo']);
    expect(services.app?.profiles).toBeUndefined();
  });
});
