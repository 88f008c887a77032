import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { OidcProviderSettings } from '#src/config.ts';
import { paths } from '#src/http/paths.ts';
import { scenarios, testIdentities, type Scenario } from './identities.ts';

/**
 * A FranceConnect look-alike for development and tests, on oidc-provider: discovery, pairwise
 * `sub`, acr eidas1/2/3, signed userinfo, encrypted tokens for the FranceConnect+ client, and
 * failure scenarios. Loopback only; main.ts never starts it in production.
 */
export interface DevelopmentFranceConnect {
  readonly issuer: string;
  readonly franceconnect: OidcProviderSettings;
  readonly franceconnectPlus: OidcProviderSettings;
  /** Registers the portal's origin (redirect URIs, JWKS URL); requests wait until then. */
  attach(appOrigin: string): void;
  close(): Promise<void>;
}

const FC_CLAIMS = [
  'given_name',
  'family_name',
  'birthdate',
  'gender',
  'birthplace',
  'birthcountry',
  'email',
];

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;color:#161616;background:#fff}
header,main{max-width:44rem;margin:0 auto;padding:1rem}header{border-bottom:4px solid #000091}
fieldset{margin:1rem 0;border:1px solid #666;padding:.5rem 1rem}legend{font-weight:700}
.choice{margin:.5rem 0}button{background:#000091;color:#fff;border:0;padding:.75rem 1.5rem;font-size:1rem;margin:.25rem .5rem .25rem 0;cursor:pointer}
button.secondary{background:#fff;color:#000091;border:1px solid #000091}small{color:#3a3a3a}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${escapeHtml(title)} - FranceConnect de développement</title><style>${STYLE}</style></head><body><header role="banner"><p><strong>FranceConnect de développement</strong> — fournisseur d’identité de test, jamais utilisé en production</p></header><main role="main">${body}</main></body></html>`;
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    if (!(chunk instanceof Buffer)) continue;
    size += chunk.length;
    if (size > 16_384) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(uid: string, clientName: string, acrAsked: string): string {
  const identities = testIdentities
    .map(
      (t, i) =>
        `<div class="choice"><input type="radio" name="identity" id="identite-${t.id}" value="${t.id}"${i === 0 ? ' checked' : ''}> <label for="identite-${t.id}">${escapeHtml(`${t.given_name} ${t.family_name}`)} <small>(${escapeHtml(t.label)})</small></label></div>`,
    )
    .join('');
  const cases = scenarios
    .map(
      (s, i) =>
        `<div class="choice"><input type="radio" name="scenario" id="scenario-${s.value}" value="${s.value}"${i === 0 ? ' checked' : ''}> <label for="scenario-${s.value}">${escapeHtml(s.label)}</label></div>`,
    )
    .join('');
  return page(
    'Choisir une identité',
    `<h1>Choisir une identité de test</h1>
<p>Service : <strong>${escapeHtml(clientName)}</strong>. Niveau demandé : <strong>${escapeHtml(acrAsked)}</strong>.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<fieldset><legend>Identité</legend>${identities}</fieldset>
<fieldset><legend>Scénario</legend>${cases}</fieldset>
<button type="submit">Se connecter</button>
</form>`,
  );
}

/** eidas1 unless a higher level was asked (acr_values, space-separated). */
function askedAcr(acrValues: unknown): string {
  const asked = typeof acrValues === 'string' ? acrValues.split(' ') : [];
  for (const level of ['eidas3', 'eidas2', 'eidas1']) if (asked.includes(level)) return level;
  return 'eidas1';
}

function isScenario(value: string | null): value is Scenario {
  return scenarios.some((s) => s.value === value);
}

export async function startDevelopmentFranceConnect(options: {
  host?: string;
  port: number;
}): Promise<DevelopmentFranceConnect> {
  const host = options.host ?? '127.0.0.1';
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server: Server = createServer((req, res) => {
    if (handler) handler(req, res);
    else sendHtml(res, 503, page('Indisponible', '<h1>Fournisseur en cours de démarrage</h1>'));
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  await listen(server, host, options.port);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const issuer = `http://${host}:${String(port)}`;
  const secret = () => randomBytes(24).toString('base64url');
  const franceconnect = { issuer, clientId: 'moncompte-franceconnect', clientSecret: secret() };
  const franceconnectPlus = {
    issuer,
    clientId: 'moncompte-franceconnect-plus',
    clientSecret: secret(),
  };

  const es256 = await generateKeyPair('ES256', { extractable: true });
  const rs256 = await generateKeyPair('RS256', { extractable: true });
  const signingKeys = [
    { ...(await exportJWK(es256.privateKey)), alg: 'ES256', use: 'sig', kid: 'dev-es256' },
    { ...(await exportJWK(rs256.privateKey)), alg: 'RS256', use: 'sig', kid: 'dev-rs256' },
  ];
  const pairwiseSalt = randomBytes(16).toString('hex');

  function attach(appOrigin: string): void {
    const common = {
      redirect_uris: [appOrigin + paths.franceConnectRetour],
      post_logout_redirect_uris: [appOrigin + paths.franceConnectDeconnexion],
      response_types: ['code' as const],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic' as const,
      id_token_signed_response_alg: 'ES256' as const,
      userinfo_signed_response_alg: 'ES256' as const,
      subject_type: 'pairwise' as const,
    };
    const configuration: Configuration = {
      clients: [
        {
          ...common,
          client_id: franceconnect.clientId,
          client_secret: franceconnect.clientSecret,
          client_name: 'Mon Compte (FranceConnect)',
        },
        {
          ...common,
          client_id: franceconnectPlus.clientId,
          client_secret: franceconnectPlus.clientSecret,
          client_name: 'Mon Compte (FranceConnect+)',
          jwks_uri: appOrigin + paths.franceConnectJwks,
          id_token_encrypted_response_alg: 'RSA-OAEP',
          id_token_encrypted_response_enc: 'A256GCM',
          userinfo_encrypted_response_alg: 'RSA-OAEP',
          userinfo_encrypted_response_enc: 'A256GCM',
        },
      ],
      claims: {
        openid: ['sub'],
        acr: null,
        auth_time: null,
        ...Object.fromEntries(FC_CLAIMS.map((c) => [c, [c]])),
      },
      acrValues: ['eidas1', 'eidas2', 'eidas3'],
      subjectTypes: ['public', 'pairwise'],
      pairwiseIdentifier: (_ctx, accountId, client) =>
        createHash('sha256')
          .update(`${client.clientId}\0${accountId}\0${pairwiseSalt}`)
          .digest('hex'),
      findAccount: (_ctx, id) => {
        const identity = testIdentities.find((t) => t.id === id);
        if (!identity) return undefined;
        return {
          accountId: id,
          claims: () => ({
            sub: id,
            given_name: identity.given_name,
            family_name: identity.family_name,
            birthdate: identity.birthdate,
            gender: identity.gender,
            birthplace: identity.birthplace,
            birthcountry: identity.birthcountry,
            email: identity.email,
          }),
        };
      },
      jwks: { keys: signingKeys },
      // oidc-provider refuses loopback addresses (SSRF protection); the portal's JWKS URL is one.
      fetch: (url, init) => {
        const href = url instanceof Request ? url.url : url.toString();
        if (!href.startsWith(`${appOrigin}/`)) return fetch(url, init);
        // A fresh init: the SSRF-checking dispatcher oidc-provider set is left out.
        return fetch(url, {
          method: init?.method ?? 'GET',
          headers: init?.headers ?? {},
          signal: init?.signal ?? null,
        });
      },
      cookies: { keys: [randomBytes(32).toString('hex')] },
      pkce: { required: () => true },
      features: {
        devInteractions: { enabled: false },
        encryption: { enabled: true },
        jwtUserinfo: { enabled: true },
        rpInitiatedLogout: {
          enabled: true,
          logoutSource: (ctx: KoaContextWithOIDC, form: string) => {
            ctx.type = 'html';
            ctx.body = page(
              'Déconnexion',
              `<h1>Se déconnecter de FranceConnect</h1>${form}<p>Vous allez être déconnecté(e) de FranceConnect.</p><button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button> <button class="secondary" type="submit" form="op.logoutForm">Rester connecté(e)</button>`,
            );
          },
          postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => {
            ctx.type = 'html';
            ctx.body = page('Déconnecté', '<h1>Vous êtes déconnecté(e) de FranceConnect</h1>');
          },
        },
      },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      loadExistingGrant: async (ctx) => {
        const clientId = ctx.oidc.client?.clientId;
        const accountId = ctx.oidc.session?.accountId;
        if (!clientId || !accountId) return undefined;
        const existing =
          ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId);
        if (existing) {
          const grant = await ctx.oidc.provider.Grant.find(existing);
          if (grant) return grant;
        }
        // The service is trusted here: every claim it asks for is granted without a consent page.
        const grant = new ctx.oidc.provider.Grant({ clientId, accountId });
        grant.addOIDCScope(['openid', ...FC_CLAIMS].join(' '));
        await grant.save();
        return grant;
      },
      ttl: {
        AccessToken: 300,
        AuthorizationCode: 60,
        IdToken: 3600,
        Interaction: 900,
        Session: 3600,
        Grant: 3600,
      },
      renderError: (ctx, out) => {
        ctx.type = 'html';
        const lines = Object.entries(out)
          .map(([k, v]) => `<li><strong>${escapeHtml(k)}</strong> : ${escapeHtml(String(v))}</li>`)
          .join('');
        ctx.body = page('Erreur', `<h1>Erreur du fournisseur d’identité</h1><ul>${lines}</ul>`);
      },
    };
    const provider = new Provider(issuer, configuration);
    const callback = provider.callback();

    async function interaction(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
      const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(url.pathname);
      if (!match) {
        sendHtml(res, 404, page('Introuvable', '<h1>Page introuvable</h1>'));
        return;
      }
      const details = await provider.interactionDetails(req, res);
      const clientId = typeof details.params.client_id === 'string' ? details.params.client_id : '';
      const acr = askedAcr(details.params.acr_values);
      if (req.method === 'GET' && !match[2]) {
        const client = await provider.Client.find(clientId);
        sendHtml(res, 200, loginPage(details.uid, client?.clientName ?? clientId, acr));
        return;
      }
      if (req.method !== 'POST' || !match[2]) {
        sendHtml(res, 405, page('Erreur', '<h1>Méthode non permise</h1>'));
        return;
      }
      const form = await readForm(req);
      const identity = testIdentities.find((t) => t.id === form.get('identity'));
      const scenarioValue = form.get('scenario');
      const scenario: Scenario = isScenario(scenarioValue) ? scenarioValue : 'normal';
      if (!identity) {
        sendHtml(res, 400, page('Erreur', '<h1>Choisissez une identité</h1>'));
        return;
      }
      if (scenario === 'refus') {
        await provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'L’usager a annulé la connexion' },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      if (scenario === 'nonce-errone') {
        // Resumed authorizations read their parameters from the stored interaction.
        details.params.nonce = randomBytes(32).toString('hex');
        await details.save(details.exp - Math.floor(Date.now() / 1000));
      }
      const returned =
        scenario === 'acr-inferieur' ? (acr === 'eidas1' ? 'eidas0' : 'eidas1') : acr;
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: identity.id, acr: returned, amr: ['pwd'] } },
        { mergeWithLastSubmission: false },
      );
    }

    handler = (req, res) => {
      const url = new URL(req.url ?? '/', issuer);
      if (url.pathname.startsWith('/interaction/')) {
        interaction(req, res, url).catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          sendHtml(
            res,
            400,
            page(
              'Erreur',
              `<h1>Session de connexion introuvable ou expirée</h1><p>${escapeHtml(message)}</p>`,
            ),
          );
        });
        return;
      }
      void callback(req, res);
    };
  }

  return {
    issuer,
    franceconnect,
    franceconnectPlus,
    attach,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      // The preferred port is taken (another portal running): any free port will do.
      if (error.code === 'EADDRINUSE' && port !== 0) {
        listen(server, host, 0).then(resolve, reject);
        return;
      }
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
