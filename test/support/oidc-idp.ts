// A real OpenID provider (oidc-provider) for end-to-end tests, on a free
// loopback port: registered clients, test accounts with their groups and `amr`,
// PKCE required, the device flow enabled, and a small interaction app in place
// of a login page (the test browser posts its forms).
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, {
  type Adapter,
  type AdapterPayload,
  type ClientMetadata,
  type KoaContextWithOIDC,
} from "oidc-provider";

export interface IdpAccount {
  sub: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
  groups?: string[];
  /** Authentication methods the IdP reports for this account's logins. */
  amr: string[];
}

export interface IdpClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** Rewrites a successful token endpoint response body (to play a broken or hostile IdP). */
export type TokenResponseHook = (body: Record<string, unknown>) => Record<string, unknown>;

export interface TestIdp {
  issuer: string;
  provider: Provider;
  /** Set by a test to alter the next token responses; reset it after. */
  tokenHook: TokenResponseHook | null;
  close(): Promise<void>;
}

export interface IdpOptions {
  accounts: IdpAccount[];
  clients: IdpClient[];
  /** Whether the device authorization endpoint exists (default true). */
  deviceFlow?: boolean;
  /** Seconds a device code lives (default 600). */
  deviceCodeTtl?: number;
  port?: number;
}

export async function startIdp(options: IdpOptions): Promise<TestIdp> {
  const accounts = new Map(options.accounts.map((a) => [a.sub, a]));
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server: Server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });

  const provider = new Provider(issuer, {
    clients: options.clients.map((c): ClientMetadata => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: [c.redirectUri],
      response_types: ["code"],
      grant_types: ["authorization_code", "urn:ietf:params:oauth:grant-type:device_code"],
      token_endpoint_auth_method: "client_secret_basic",
    })),
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "test-rs256", use: "sig", alg: "RS256" }] },
    cookies: { keys: [randomBytes(16).toString("hex")] },
    pkce: { methods: ["S256"], required: () => true },
    scopes: ["openid", "email", "profile", "groups"],
    // amr comes with every ID token, as IdPs that report it send it (oidc-provider would otherwise release it only on request).
    claims: {
      acr: null,
      auth_time: null,
      sid: null,
      iss: null,
      openid: ["sub", "amr"],
      email: ["email", "email_verified"],
      profile: ["name"],
      groups: ["groups"],
    },
    features: {
      devInteractions: { enabled: false },
      // Pages of our own (the provider's stock pages log a notice each time they are used); the test browser posts their forms.
      deviceFlow: {
        enabled: options.deviceFlow ?? true,
        userCodeInputSource: (ctx, form) =>
          void (ctx.body = page(`${form}<button type="submit" form="op.deviceInputForm">Continue</button>`)),
        userCodeConfirmSource: (ctx, form, _client, _info, userCode) =>
          void (ctx.body = page(
            `<p>${userCode}</p>${form}<button type="submit" form="op.deviceConfirmForm">Continue</button><button type="submit" form="op.deviceConfirmForm" value="yes" name="abort">Abort</button>`,
          )),
        successSource: (ctx) => void (ctx.body = page("<p>Signed in: you may close this page.</p>")),
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Every lifetime set here, so the provider does not fall back to its defaults (each logs a notice when used).
    ttl: {
      DeviceCode: options.deviceCodeTtl ?? 600,
      Interaction: 3600,
      Session: 86400,
      Grant: 86400,
      AccessToken: 3600,
      IdToken: 3600,
    },
    // A store of our own: with none given the provider warns that its built-in one is for development only.
    adapter: mapAdapter(new Map()),
    findAccount: (_ctx: KoaContextWithOIDC, sub: string) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          ...(account.email !== undefined
            ? { email: account.email, email_verified: account.emailVerified ?? true }
            : {}),
          ...(account.name !== undefined ? { name: account.name } : {}),
          groups: account.groups ?? [],
        }),
      };
    },
  });
  const idp: TestIdp = {
    issuer,
    provider,
    tokenHook: null,
    close: async () => new Promise((resolve) => server.close(() => resolve())),
  };
  provider.use(async (ctx, next) => {
    await next();
    if (idp.tokenHook && ctx.method === "POST" && ctx.path === "/token" && ctx.status === 200)
      ctx.body = idp.tokenHook(ctx.body as Record<string, unknown>);
  });
  const callback = provider.callback();
  handler = (req, res) => {
    if (req.url?.startsWith("/interaction/")) {
      interaction(provider, accounts, req, res).catch((err: unknown) =>
        res.writeHead(500, { "content-type": "text/plain" }).end(String(err)),
      );
    } else {
      void callback(req, res);
    }
  };
  return idp;
}

function page(body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Test IdP</title></head><body>${body}</body></html>`;
}

interface Stored {
  payload: AdapterPayload;
  expiresAt: number;
}

/** The provider's storage in one Map per IdP, with the lookups oidc-provider makes (by uid, user code, grant). */
function mapAdapter(store: Map<string, Stored>): (model: string) => Adapter {
  const live = (key: string): AdapterPayload | undefined => {
    const item = store.get(key);
    if (item === undefined || item.expiresAt <= Date.now()) return undefined;
    return item.payload;
  };
  const findBy = (model: string, field: "uid" | "userCode", value: string) => {
    for (const [key, item] of store) {
      if (key.startsWith(`${model}:`) && item.payload[field] === value) return live(key);
    }
    return undefined;
  };
  return (model) => ({
    upsert: (id, payload, expiresIn) => {
      store.set(`${model}:${id}`, { payload, expiresAt: Date.now() + expiresIn * 1000 });
      return Promise.resolve();
    },
    find: (id) => Promise.resolve(live(`${model}:${id}`)),
    findByUid: (uid) => Promise.resolve(findBy(model, "uid", uid)),
    findByUserCode: (userCode) => Promise.resolve(findBy(model, "userCode", userCode)),
    consume: (id) => {
      const item = store.get(`${model}:${id}`);
      if (item) item.payload.consumed = Math.floor(Date.now() / 1000);
      return Promise.resolve();
    },
    destroy: (id) => {
      store.delete(`${model}:${id}`);
      return Promise.resolve();
    },
    revokeByGrantId: (grantId) => {
      for (const [key, item] of store) if (item.payload.grantId === grantId) store.delete(key);
      return Promise.resolve();
    },
  });
}

/**
 * GET shows which prompt is pending (login or consent) as JSON; POST answers it:
 * `login=<sub>` signs in with the account's amr, `confirm=yes` grants what the
 * client asked for, `abort=yes` denies.
 */
async function interaction(
  provider: Provider,
  accounts: Map<string, IdpAccount>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === "GET") {
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ uid: details.uid, prompt: details.prompt.name }));
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  if (form.get("abort") === "yes") {
    await provider.interactionFinished(
      req,
      res,
      { error: "access_denied", error_description: "the user said no" },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  if (details.prompt.name === "login") {
    const account = accounts.get(form.get("login") ?? "");
    if (!account) return void res.writeHead(401, { "content-type": "text/plain" }).end("unknown account");
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.sub, amr: account.amr } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const { missingOIDCScope, missingOIDCClaims } = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
  };
  const grant = details.grantId
    ? (await provider.Grant.find(details.grantId))!
    : new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
  if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(" "));
  if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
