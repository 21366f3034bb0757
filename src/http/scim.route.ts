// /scim/v2: SCIM 2.0 provisioning (RFC 7643/7644 core) for identity providers.
// Authenticated like /graphql (Bearer tokens, failures audited), every call
// guarded by a `user` capability through the engine with the decision audited,
// bodies in and out as application/scim+json, every error in SCIM's format.
import express, { type NextFunction, type Request, type Response, Router } from "express";
import { unauthenticatedMessage } from "../auth/authentication-messages";
import type { AuthenticationLayer } from "../auth/passport/authentication-layer";
import { auditEscalationRefusal } from "../domain/audit/escalation-audit";
import type { Services } from "../app-services";
import { auditAuthentication } from "./authentication-audit";
import { rateLimitMessage } from "./rate-limit-response";
import type { ClientAddress } from "./client-address";
import type { Logger } from "./logger";
import type { ScimContext } from "./scim/scim-context";
import { listResponse, resourceTypes, schemas, serviceProviderConfig } from "./scim/scim-discovery";
import { invalidSyntax, ScimError, sendScim, sendScimError, toScimError } from "./scim/scim-error";
import { createGroup, deleteGroup, getGroup, listGroups, patchGroup, replaceGroup } from "./scim/scim-groups.handlers";
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser } from "./scim/scim-users.handlers";

export interface ScimOptions {
  services: Services;
  authentication: AuthenticationLayer;
  clientAddress: ClientAddress;
  logger: Logger;
}

type Handler = (ctx: ScimContext, req: Request, res: Response) => Promise<void> | void;

export function scimRouter(options: ScimOptions): Router {
  const { services, authentication, logger } = options;
  const router = Router();

  const fail = (res: Response, err: unknown) => {
    const scim = toScimError(err);
    if (scim) return sendScimError(res, scim);
    const requestId = String(res.locals.requestId);
    logger.error("SCIM request failed", {
      requestId,
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    sendScimError(res, new ScimError(500, `internal error (request id ${requestId})`));
  };

  // Authentication first, for every path under /scim/v2, discovery included. The
  // Authorization header only: SCIM clients are machines, and accepting the
  // session cookie would let another site's page act with a browser's session.
  router.use(async (req, res, next) => {
    try {
      const requestId = String(res.locals.requestId);
      const sourceIp = options.clientAddress(req);
      const auth = await authentication.authenticate(
        { authorization: req.headers.authorization, cookie: undefined },
        sourceIp,
        ["bearer"],
      );
      await auditAuthentication(services, auth, sourceIp, requestId);
      if (!auth.ok && auth.rateLimit !== undefined) {
        res.setHeader("retry-after", String(auth.rateLimit.retryAfterSeconds));
        return sendScimError(res, new ScimError(429, rateLimitMessage(auth.rateLimit)));
      }
      if (!auth.ok) {
        res.setHeader("www-authenticate", "Bearer");
        return sendScimError(res, new ScimError(401, unauthenticatedMessage(auth.failure)));
      }
      const base = `${req.protocol}://${req.get("host") ?? "localhost"}${req.baseUrl}`;
      res.locals.scim = { services, principal: auth.principal, requestId, base } satisfies ScimContext;
      next();
    } catch (err) {
      fail(res, err);
    }
  });
  router.use(express.json({ limit: "1mb", type: ["application/scim+json", "application/json"] }));

  const route = (handler: Handler) => async (req: Request, res: Response) => {
    const ctx = res.locals.scim as ScimContext;
    try {
      await handler(ctx, req, res);
    } catch (err) {
      try {
        // Refusals inside a policy write are recorded there; this records one checked anywhere else (once).
        await auditEscalationRefusal(
          services.audit,
          services.runtime.engine(),
          { actor: ctx.principal, operation: `SCIM ${req.method} ${req.baseUrl}${req.path}`, requestId: ctx.requestId },
          err,
        );
      } catch (auditErr) {
        return fail(res, auditErr);
      }
      fail(res, err);
    }
  };
  // Discovery needs a credential but no capability: it describes the protocol, not anyone's data.
  const discovery = (body: (base: string) => unknown) => route((ctx, _req, res) => sendScim(res, 200, body(ctx.base)));

  router.get("/ServiceProviderConfig", discovery(serviceProviderConfig));
  router.get(
    "/ResourceTypes",
    discovery((base) => listResponse(resourceTypes(base), 2, 1)),
  );
  router.get(
    "/ResourceTypes/:id",
    route((ctx, req, res) => {
      const found = resourceTypes(ctx.base).find((t) => t.id === req.params.id);
      if (!found) throw new ScimError(404, `no resource type '${String(req.params.id)}'`);
      sendScim(res, 200, found);
    }),
  );
  router.get(
    "/Schemas",
    discovery((base) => listResponse(schemas(base), 2, 1)),
  );
  router.get(
    "/Schemas/:id",
    route((ctx, req, res) => {
      const found = schemas(ctx.base).find((s) => s.id === req.params.id);
      if (!found) throw new ScimError(404, `no schema '${String(req.params.id)}'`);
      sendScim(res, 200, found);
    }),
  );

  router.get("/Users", route(listUsers));
  router.post("/Users", route(createUser));
  router.get("/Users/:id", route(getUser));
  router.put("/Users/:id", route(replaceUser));
  router.patch("/Users/:id", route(patchUser));
  router.delete("/Users/:id", route(deleteUser));

  router.get("/Groups", route(listGroups));
  router.post("/Groups", route(createGroup));
  router.get("/Groups/:id", route(getGroup));
  router.put("/Groups/:id", route(replaceGroup));
  router.patch("/Groups/:id", route(patchGroup));
  router.delete("/Groups/:id", route(deleteGroup));

  router.use((req: Request, res: Response) => {
    sendScimError(res, new ScimError(404, `no SCIM endpoint ${req.method} ${req.baseUrl}${req.path}`));
  });
  // Body parser failures: SCIM's format instead of the server's generic JSON error.
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const type = (err as { type?: string }).type;
    if (type === "entity.parse.failed") return sendScimError(res, invalidSyntax("the request body is not valid JSON"));
    if (type === "entity.too.large")
      return sendScimError(res, new ScimError(413, "the request body is larger than 1 MB"));
    // The router could not percent-decode a path parameter (`/Groups/%%%`): the client's fault.
    if (err instanceof URIError)
      return sendScimError(res, new ScimError(400, "the request path is not valid percent-encoding"));
    fail(res, err);
  });
  return router;
}
