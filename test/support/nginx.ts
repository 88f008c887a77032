import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isListening } from './ports.ts';

/** Installed by `npm test` (scripts/ensure-apt-package.mjs) when missing, like Chromium. */
export const NGINX = '/usr/sbin/nginx';

export interface CachingProxy {
  /** http://127.0.0.1:<port> of each server block, by name. */
  readonly origins: Readonly<Record<string, string>>;
  /** The error log, for a failing test to show. */
  errorLog(): string;
  stop(): Promise<void>;
}

export interface ProxyServer {
  readonly name: string;
  readonly port: number;
  /** The server block's body: locations using `proxy_pass http://portal;` and its cache zone. */
  readonly body: string;
}

/**
 * Our own nginx, never the system service: its configuration, prefix, temporary paths, caches and
 * pid file live in a fresh temporary directory; it listens on loopback ports only, runs in the
 * foreground as this process's child, and `stop()` ends it and removes the directory.
 * Each server gets a cache zone named after it (`proxy_cache <name>;` in its body).
 */
export async function startCachingProxy(
  upstreamPort: number,
  servers: readonly ProxyServer[],
): Promise<CachingProxy> {
  if (!existsSync(NGINX)) {
    throw new Error(
      `nginx introuvable (${NGINX}) : npm test l’installe ; sinon : node scripts/ensure-apt-package.mjs nginx ${NGINX}`,
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'moncompte-nginx-'));
  const at = (name: string) => path.join(dir, name);
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const config = `
${root ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${at('nginx.pid')};
error_log ${at('error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${at('client_body')};
  proxy_temp_path ${at('proxy_temp')};
  fastcgi_temp_path ${at('fastcgi_temp')};
  uwsgi_temp_path ${at('uwsgi_temp')};
  scgi_temp_path ${at('scgi_temp')};
  ${servers
    .map(
      (s) =>
        `proxy_cache_path ${at(`cache-${s.name}`)} levels=1:2 keys_zone=${s.name}:10m max_size=200m inactive=30m use_temp_path=off;`,
    )
    .join('\n  ')}
  upstream portal {
    server 127.0.0.1:${String(upstreamPort)} max_fails=0;
    keepalive 32;
  }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host $http_host;
  add_header X-Cache-Status $upstream_cache_status always;
  ${servers.map((s) => `server {\n    listen 127.0.0.1:${String(s.port)};\n    ${s.body}\n  }`).join('\n  ')}
}
`;
  writeFileSync(at('nginx.conf'), config);
  const child: ChildProcess = spawn(
    NGINX,
    ['-p', dir, '-c', at('nginx.conf'), '-e', at('error.log')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const errorLog = () => {
    const log = existsSync(at('error.log')) ? readFileSync(at('error.log'), 'utf8') : '';
    return `${stderr}${log}`;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGQUIT');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    const up = await Promise.all(servers.map((s) => isListening(s.port)));
    if (up.every(Boolean)) {
      return {
        origins: Object.fromEntries(
          servers.map((s) => [s.name, `http://127.0.0.1:${String(s.port)}`]),
        ),
        errorLog,
        stop,
      };
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const log = errorLog();
  await stop();
  throw new Error(`nginx did not start:\n${log}`);
}
