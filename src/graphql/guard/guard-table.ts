// THE table (docs/guard-table.md): every root field of the API → the capability on a
// `system` type that the caller needs, the name of the addressed object, and
// when the call is the caller's own business and needs no capability at all.
// A root field missing here is denied (graphql-shield's fallbackRule).
//
// FIELD_GUARD_TABLE does the same for object fields that reach a principal's
// data (users, their tokens and grants): a field beneath an allowed root field
// must not show what the root field of its own would refuse. To add a field
// that returns a principal type (User, Token, Grant, a session, an access
// request or review, or a list of them) to any object type:
//   1. give it an entry under its parent type's name below, with the capability
//      the matching root field needs (`Role.holders` → `user:list`), `name`
//      when that root field names its object, and `self` for the case that is
//      the caller's own business (the parent object is the caller, or belongs
//      to the caller), taking the parent object as resolved;
//   2. list in `returnedBy` the mutations whose result shows what the caller
//      just wrote through this field (the grants createUser gave); nothing
//      else a mutation returns is exempt (`lockUser { tokens }` is guarded);
//   3. a new principal type goes into PRINCIPAL_TYPES.
// The guard test walks the served schema and fails for a field returning a
// principal type without an entry. A refusal is a FORBIDDEN error on that field
// (its value null, propagating as GraphQL does), audited like a root field's;
// one decision per field, capability and name in a request.
import { parse as parseYaml } from "yaml";
import type { RequestContext } from "../context";

/** A root field's arguments as GraphQL coerced them; the table reads them before any validation. */
type Args = Record<string, unknown> & { input?: { email?: unknown; role?: unknown; userId?: unknown } | null };

export type GuardEntry =
  /** Always allowed, no decision, no audit event (`me`). */
  | { kind: "always" }
  /** The resolver decides per object and audits each decision itself. */
  | { kind: "resolver" }
  | {
      kind: "check";
      /** `type:capability`, type in namespace `system`. */
      capability: string;
      /** The addressed object's name; empty for lists and checks. */
      name?: (args: Args, ctx: RequestContext) => Promise<string> | string;
      /** True when the call concerns only the caller: allowed without a decision. */
      self?: (args: Args, ctx: RequestContext) => Promise<boolean> | boolean;
    };

/** A string argument's value; "" when it is absent (GraphQL has coerced String arguments already). */
const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** The `name:` of a YAML document, if it has one; the guard runs before validation. */
function documentName(args: Args): string {
  try {
    const doc = parseYaml(text(args.document), { maxAliasCount: 0 }) as { name?: unknown } | null;
    return typeof doc?.name === "string" ? doc.name : "";
  } catch {
    return "";
  }
}

async function userEmail(ctx: RequestContext, id: unknown, email?: unknown): Promise<string> {
  if (typeof email === "string") return email.toLowerCase();
  if (typeof id !== "string") return "";
  return (await ctx.loaders.user.load(id))?.email ?? id;
}

const isCaller = (ctx: RequestContext, userId: unknown) =>
  typeof userId === "string" && userId === ctx.principal?.user.id;

async function ownsToken(ctx: RequestContext, tokenId: unknown): Promise<boolean> {
  if (typeof tokenId !== "string" || !ctx.principal) return false;
  const token = await ctx.services.storage.tokens.get(tokenId);
  return token !== null && token.ownerId === ctx.principal.user.id;
}

/** The user the session belongs to; null for an unknown id. */
async function sessionOwner(ctx: RequestContext, sessionId: unknown): Promise<string | null> {
  if (typeof sessionId !== "string") return null;
  return (await ctx.services.storage.sessions.get(sessionId))?.userId ?? null;
}

/** `subject` left out, or naming the caller or one of the caller's tokens. */
async function aboutCaller(args: Args, ctx: RequestContext): Promise<boolean> {
  const subject = args.subject as
    { userId?: string | null; email?: string | null; tokenId?: string | null } | null | undefined;
  if (!subject || (subject.userId == null && subject.email == null && subject.tokenId == null)) return true;
  const me = ctx.principal!.user;
  if (subject.tokenId != null)
    return subject.userId == null && subject.email == null && ownsToken(ctx, subject.tokenId);
  if (subject.userId != null && subject.userId !== me.id) return false;
  if (subject.email != null && subject.email.toLowerCase() !== me.email) return false;
  return true;
}

/** Checks of an object field: like a root field's, about the parent object instead of arguments. */
export type FieldGuardEntry =
  /** What a mutation just returned to its caller (the token it issued): no decision. */
  | { kind: "always" }
  | {
      kind: "check";
      /** `type:capability`, type in namespace `system`. */
      capability: string;
      /** The addressed object's name; empty for lists. */
      // Method signatures so that each entry may name the parent type it is written for.
      name?(parent: unknown, ctx: RequestContext): Promise<string> | string;
      /** True when the parent object is the caller's own business: allowed without a decision. */
      self?(parent: unknown, ctx: RequestContext): Promise<boolean> | boolean;
      /**
       * Mutations whose returned object (the parent, directly) the caller may read this field of
       * without a decision: what that write made and just handed back (`createUser { grants }`).
       */
      returnedBy?: string[];
    };

/** Object types that carry a principal's data; every field returning one needs a FIELD_GUARD_TABLE entry. */
export const PRINCIPAL_TYPES = ["User", "Token", "Session", "Grant", "AccessRequest", "AccessReview"] as const;

/** Caller-or-nobody: a missing reference reads as null, which shows nothing. */
const callerOrNone = (ctx: RequestContext, userId: unknown) => userId == null || isCaller(ctx, userId);

export const FIELD_GUARD_TABLE: Record<string, Record<string, FieldGuardEntry>> = {
  User: {
    // As `tokens(userId:)` and `grants(userId:)`: your own need nothing (`me { tokens grants }`).
    // A user createUser just made has the grants the caller gave and no tokens yet.
    tokens: {
      kind: "check",
      capability: "token:list",
      self: (user: { id: string }, c) => isCaller(c, user.id),
      returnedBy: ["createUser"],
    },
    grants: {
      kind: "check",
      capability: "grant:list",
      self: (user: { id: string }, c) => isCaller(c, user.id),
      returnedBy: ["createUser"],
    },
  },
  Token: {
    owner: {
      kind: "check",
      capability: "user:read",
      name: (token: { ownerId: string }, c) => userEmail(c, token.ownerId),
      self: (token: { ownerId: string }, c) => isCaller(c, token.ownerId),
      // The owner the caller named when issuing (IssuedToken.token counts as the mutation's result).
      returnedBy: ["createToken", "rotateToken"],
    },
  },
  Grant: {
    // The deciding review of an access request grants like grantRole does: its
    // reviewer reads back the grants it just made (reviewAccessRequest { grants { user } }).
    user: {
      kind: "check",
      capability: "user:read",
      name: (grant: { userId: string | null }, c) => userEmail(c, grant.userId),
      self: (grant: { userId: string | null }, c) => callerOrNone(c, grant.userId),
      returnedBy: ["grantRole", "setUserRoles", "reviewAccessRequest"],
    },
    createdBy: {
      kind: "check",
      capability: "user:read",
      name: (grant: { createdById: string | null }, c) => userEmail(c, grant.createdById),
      self: (grant: { createdById: string | null }, c) => callerOrNone(c, grant.createdById),
      returnedBy: ["grantRole", "setUserRoles", "reviewAccessRequest"],
    },
  },
  // accessRequests and the access-request mutations hand out only requests the caller
  // may see (their own, or one they could review): who asked, who reviewed and the
  // grants that followed are part of what a reviewer reviews. What those objects
  // reach further (User.tokens, Grant.createdBy, ...) is guarded by their own entries.
  AccessRequest: {
    requester: { kind: "always" },
    reviews: { kind: "always" },
    grants: { kind: "always" },
  },
  AccessReview: {
    reviewer: { kind: "always" },
  },
  // A plan's access diff says what each affected user may do, as effectivePermissions
  // about someone else and whoCan do: it needs permission:check (one decision a
  // request). Refused, the plan cannot be shown: select accessChanges only with it.
  AccessChange: {
    user: {
      kind: "check",
      capability: "permission:check",
      self: (change: { user: { id: string } }, c) => isCaller(c, change.user.id),
    },
  },
  IssuedToken: {
    // The token createToken or rotateToken just issued, shown to the caller who was allowed to issue it.
    token: { kind: "always" },
  },
};

export const GUARD_TABLE: Record<"Query" | "Mutation" | "Subscription", Record<string, GuardEntry>> = {
  Query: {
    me: { kind: "always" },
    // The caller's own credential (kind, expiry, MFA now), like `me`.
    credential: { kind: "always" },
    users: { kind: "check", capability: "user:list" },
    user: { kind: "check", capability: "user:read", name: (a, c) => userEmail(c, a.id, a.email) },
    roles: { kind: "check", capability: "role:list" },
    role: { kind: "check", capability: "role:read", name: (a) => String(a.name) },
    policies: { kind: "check", capability: "policy:list" },
    policy: { kind: "check", capability: "policy:read", name: (a) => String(a.name) },
    grants: { kind: "check", capability: "grant:list" },
    tokens: { kind: "check", capability: "token:list", self: (a, c) => a.userId == null || isCaller(c, a.userId) },
    // Sessions are credentials like tokens: another user's are listed under the same capability.
    sessions: { kind: "check", capability: "token:list", self: (a, c) => a.userId == null || isCaller(c, a.userId) },
    resourceTypes: { kind: "check", capability: "resource_type:list" },
    can: { kind: "check", capability: "permission:check", self: aboutCaller },
    canMany: { kind: "check", capability: "permission:check", self: aboutCaller },
    effectivePermissions: { kind: "check", capability: "permission:check", self: aboutCaller },
    whoCan: { kind: "check", capability: "permission:check" },
    auditEvents: { kind: "check", capability: "audit:read" },
    verifyAuditChain: { kind: "check", capability: "audit:read" },
    ssoMappings: { kind: "check", capability: "sso:read" },
    // Everyone may list their own requests; the resolver widens the list for holders of access_request:list.
    accessRequests: { kind: "resolver" },
  },
  Mutation: {
    createUser: { kind: "check", capability: "user:create", name: (a) => text(a.input?.email).toLowerCase() },
    lockUser: { kind: "check", capability: "user:lock", name: (a, c) => userEmail(c, a.id) },
    unlockUser: { kind: "check", capability: "user:unlock", name: (a, c) => userEmail(c, a.id) },
    revokeSessions: { kind: "check", capability: "user:lock", name: (a, c) => userEmail(c, a.userId) },
    // One session of another user: as revokeSessions ending all of them. Your own: always.
    revokeSession: {
      kind: "check",
      capability: "user:lock",
      name: async (a, c) => userEmail(c, await sessionOwner(c, a.id)),
      self: async (a, c) => isCaller(c, await sessionOwner(c, a.id)),
    },
    deprovisionUser: { kind: "check", capability: "user:deprovision", name: (a, c) => userEmail(c, a.id) },
    // Re-admitting a deprovisioned user is as weighty as creating one.
    reactivateUser: { kind: "check", capability: "user:create", name: (a, c) => userEmail(c, a.id) },
    createPolicy: { kind: "check", capability: "policy:create", name: documentName },
    updatePolicy: { kind: "check", capability: "policy:update", name: (a) => String(a.name) },
    deletePolicy: { kind: "check", capability: "policy:delete", name: (a) => String(a.name) },
    createRole: { kind: "check", capability: "role:create", name: documentName },
    updateRole: { kind: "check", capability: "role:update", name: (a) => String(a.name) },
    deleteRole: { kind: "check", capability: "role:delete", name: (a) => String(a.name) },
    grantRole: { kind: "check", capability: "grant:create", name: (a) => text(a.input?.role) },
    setUserRoles: { kind: "check", capability: "grant:create", name: (a, c) => userEmail(c, a.userId) },
    revokeGrant: { kind: "check", capability: "grant:delete", name: (a) => String(a.id) },
    createToken: {
      kind: "check",
      capability: "token:create",
      self: (a, c) => a.input?.userId == null || isCaller(c, a.input.userId),
    },
    rotateToken: {
      kind: "check",
      capability: "token:create",
      name: (a) => String(a.id),
      self: (a, c) => ownsToken(c, a.id),
    },
    revokeToken: {
      kind: "check",
      capability: "token:revoke",
      name: (a) => String(a.id),
      self: (a, c) => ownsToken(c, a.id),
    },
    revokeUserTokens: {
      kind: "check",
      capability: "token:revoke",
      name: (a, c) => userEmail(c, a.userId),
      self: (a, c) => isCaller(c, a.userId),
    },
    registerResourceType: { kind: "check", capability: "resource_type:create", name: documentName },
    setSsoMappings: { kind: "check", capability: "sso:update" },
    // Allowed for roles the caller's roles make requestable: the resolver decides.
    requestAccess: { kind: "resolver" },
    reviewAccessRequest: { kind: "check", capability: "access_request:review", name: (a) => String(a.id) },
    // Only the requester may cancel: the resolver decides (and audits a refusal).
    cancelAccessRequest: { kind: "resolver" },
    // create/update/delete on each policy, role, SSO provider and type it changes, read on what it
    // leaves as it is (read on everything for a dry run): the bundle service decides and audits each.
    applyBundle: { kind: "resolver" },
    // About the caller's own session: any authenticated caller; the TOTP service refuses tokens and audits each verification.
    enrollTotp: { kind: "always" },
    verifyTotp: { kind: "always" },
  },
  Subscription: {
    // graphql-shield does not guard subscribe, and a "check" here would audit every
    // delivered event (feeding the trail from itself): the feed checks audit:read
    // when it starts (audited) and before each event (src/domain/audit/audit-feed.ts).
    auditEvents: { kind: "resolver" },
  },
};
