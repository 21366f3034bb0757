// THE table (PRODUCT.md §6): every root field of the API → the capability on a
// `system` type that the caller needs, the name of the addressed object, and
// when the call is the caller's own business and needs no capability at all.
// A root field missing here is denied (graphql-shield's fallbackRule).
import { parse as parseYaml } from "yaml";
import type { RequestContext } from "../context";

type Args = Record<string, any>;

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

/** The `name:` of a YAML document, if it has one; the guard runs before validation. */
function documentName(args: Args): string {
  try {
    const doc = parseYaml(String(args.document ?? ""), { maxAliasCount: 0 }) as { name?: unknown } | null;
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

const isCaller = (ctx: RequestContext, userId: unknown) => typeof userId === "string" && userId === ctx.principal?.user.id;

async function ownsToken(ctx: RequestContext, tokenId: unknown): Promise<boolean> {
  if (typeof tokenId !== "string" || !ctx.principal) return false;
  const token = await ctx.services.storage.tokens.get(tokenId);
  return token !== null && token.ownerId === ctx.principal.user.id;
}

/** `subject` left out, or naming the caller or one of the caller's tokens. */
async function aboutCaller(args: Args, ctx: RequestContext): Promise<boolean> {
  const subject = args.subject as { userId?: string | null; email?: string | null; tokenId?: string | null } | null | undefined;
  if (!subject || (subject.userId == null && subject.email == null && subject.tokenId == null)) return true;
  const me = ctx.principal!.user;
  if (subject.tokenId != null) return subject.userId == null && subject.email == null && ownsToken(ctx, subject.tokenId);
  if (subject.userId != null && subject.userId !== me.id) return false;
  if (subject.email != null && subject.email.toLowerCase() !== me.email) return false;
  return true;
}

export const GUARD_TABLE: Record<"Query" | "Mutation" | "Subscription", Record<string, GuardEntry>> = {
  Query: {
    me: { kind: "always" },
    users: { kind: "check", capability: "user:list" },
    user: { kind: "check", capability: "user:read", name: (a, c) => userEmail(c, a.id, a.email) },
    roles: { kind: "check", capability: "role:list" },
    role: { kind: "check", capability: "role:read", name: (a) => String(a.name) },
    policies: { kind: "check", capability: "policy:list" },
    policy: { kind: "check", capability: "policy:read", name: (a) => String(a.name) },
    grants: { kind: "check", capability: "grant:list" },
    tokens: { kind: "check", capability: "token:list", self: (a, c) => a.userId == null || isCaller(c, a.userId) },
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
    createUser: { kind: "check", capability: "user:create", name: (a) => String(a.input?.email ?? "").toLowerCase() },
    lockUser: { kind: "check", capability: "user:lock", name: (a, c) => userEmail(c, a.id) },
    unlockUser: { kind: "check", capability: "user:unlock", name: (a, c) => userEmail(c, a.id) },
    revokeSessions: { kind: "check", capability: "user:lock", name: (a, c) => userEmail(c, a.userId) },
    deprovisionUser: { kind: "check", capability: "user:deprovision", name: (a, c) => userEmail(c, a.id) },
    // Re-admitting a deprovisioned user is as weighty as creating one.
    reactivateUser: { kind: "check", capability: "user:create", name: (a, c) => userEmail(c, a.id) },
    createPolicy: { kind: "check", capability: "policy:create", name: documentName },
    updatePolicy: { kind: "check", capability: "policy:update", name: (a) => String(a.name) },
    deletePolicy: { kind: "check", capability: "policy:delete", name: (a) => String(a.name) },
    createRole: { kind: "check", capability: "role:create", name: documentName },
    updateRole: { kind: "check", capability: "role:update", name: (a) => String(a.name) },
    deleteRole: { kind: "check", capability: "role:delete", name: (a) => String(a.name) },
    grantRole: { kind: "check", capability: "grant:create", name: (a) => String(a.input?.role ?? "") },
    setUserRoles: { kind: "check", capability: "grant:create", name: (a, c) => userEmail(c, a.userId) },
    revokeGrant: { kind: "check", capability: "grant:delete", name: (a) => String(a.id) },
    createToken: { kind: "check", capability: "token:create", self: (a, c) => a.input?.userId == null || isCaller(c, a.input.userId) },
    rotateToken: { kind: "check", capability: "token:create", name: (a) => String(a.id), self: (a, c) => ownsToken(c, a.id) },
    revokeToken: { kind: "check", capability: "token:revoke", name: (a) => String(a.id), self: (a, c) => ownsToken(c, a.id) },
    revokeUserTokens: { kind: "check", capability: "token:revoke", name: (a, c) => userEmail(c, a.userId), self: (a, c) => isCaller(c, a.userId) },
    registerResourceType: { kind: "check", capability: "resource_type:create", name: documentName },
    setSsoMappings: { kind: "check", capability: "sso:update" },
    // Allowed for roles the caller's roles make requestable: the resolver decides.
    requestAccess: { kind: "resolver" },
    reviewAccessRequest: { kind: "check", capability: "access_request:review", name: (a) => String(a.id) },
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
