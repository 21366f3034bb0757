// graphql-shield built from the guard table. Deny by default: a root field
// without an entry is refused (fallbackRule), and every decision the guard takes
// is audited before the field runs — if the event cannot be written, the call
// fails and nothing runs.
import { GraphQLObjectType, type GraphQLSchema } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { deny, rule, shield, type IRules } from "graphql-shield";

type RuleTree = Exclude<IRules, { resolve: unknown }>;
type ShieldRule = ReturnType<ReturnType<typeof rule>>;
import { auditedSystemCheck } from "../../domain/decisions/audited-system-check";
import { DomainError } from "../../domain/errors";
import type { RequestContext } from "../context";
import { GUARD_TABLE, type GuardEntry } from "./guard-table";

const ROOT_TYPES = ["Query", "Mutation", "Subscription"] as const;

export function unauthenticated(ctx: RequestContext): DomainError {
  return new DomainError("UNAUTHENTICATED", ctx.authFailure === "missing" || ctx.authFailure === null
    ? "authentication required: send Authorization: Bearer <token>"
    : "invalid, expired or revoked credential");
}

function ruleFor(operation: string, entry: GuardEntry): ShieldRule {
  // graphql-shield turns an exception inside a rule into a plain "not authorised";
  // an unwritable audit event must surface as the internal error it is.
  return rule(operation, { cache: "no_cache" })((_parent: unknown, args: Record<string, unknown>, ctx: RequestContext) =>
    decide(operation, entry, args, ctx).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))));
}

async function decide(operation: string, entry: GuardEntry, args: Record<string, unknown>, ctx: RequestContext): Promise<true | Error> {
  const principal = ctx.principal;
  if (principal === null) return unauthenticated(ctx);
  if (entry.kind !== "check") return true;
  if (entry.self && (await entry.self(args, ctx))) return true;
  const name = entry.name ? await entry.name(args, ctx) : "";
  const decision = await auditedSystemCheck(ctx.services, principal, { operation, capability: entry.capability, name, requestId: ctx.requestId });
  if (decision.allowed) return true;
  const details = { reason: decision.reason, capability: entry.capability };
  return decision.reason === "MFA_REQUIRED"
    ? new DomainError("MFA_REQUIRED", `${operation} needs ${entry.capability} with MFA: step up and retry`, details)
    : new DomainError("FORBIDDEN", `${operation} needs ${entry.capability} (${decision.reason})`, details);
}

/** The rule tree: root fields from the table (guardSchema applies it to the root types only). */
export function guardRules(schema: GraphQLSchema): RuleTree {
  const tree: Record<string, ShieldRule | Record<string, ShieldRule>> = {};
  for (const rootName of ROOT_TYPES) {
    const root = schema.getType(rootName);
    if (!(root instanceof GraphQLObjectType)) continue;
    const fields: Record<string, ShieldRule> = {};
    for (const field of Object.keys(root.getFields())) {
      const entry = GUARD_TABLE[rootName][field];
      if (entry) fields[field] = ruleFor(`${rootName}.${field}`, entry);
    }
    tree[rootName] = fields;
  }
  return tree as RuleTree;
}

export function guardSchema(schema: GraphQLSchema): GraphQLSchema {
  const generator = shield(guardRules(schema), {
    fallbackRule: deny,
    allowExternalErrors: true,
    fallbackError: (err: unknown) => (err instanceof Error ? err : new DomainError("FORBIDDEN", "not allowed")),
    debug: false,
  });
  // Shield generates a wrapper for every field of every type. Only root fields
  // are guarded: what a guarded root field returns is the caller's to read, so
  // fields beneath it run unwrapped (no rule, no extra promise per field).
  const middleware = generator.generate(schema) as Record<string, unknown>;
  const roots = Object.fromEntries(Object.entries(middleware).filter(([type]) => (ROOT_TYPES as readonly string[]).includes(type)));
  return applyMiddleware(schema, roots as Parameters<typeof applyMiddleware>[1]);
}
