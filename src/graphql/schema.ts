import "reflect-metadata";
import { GraphQLSchema, type GraphQLFieldResolver } from "graphql";
import { GraphQLDateTime, GraphQLJSON } from "graphql-scalars";
import { buildSchemaSync } from "type-graphql";
import type { RequestContext } from "./context";
import { guardSchema } from "./guard/shield-guard";
import { NO_PUB_SUB } from "./no-pub-sub";
import { AccessRequestMutationsResolver } from "./resolvers/access-request-mutations.resolver";
import { AccessRequestResolver, AccessReviewResolver } from "./resolvers/access-request.resolver";
import { AuditSubscriptionsResolver } from "./resolvers/audit-subscriptions.resolver";
import { AuditResolver } from "./resolvers/audit.resolver";
import { BundleMutationsResolver } from "./resolvers/bundle-mutations.resolver";
import { BundleResolver } from "./resolvers/bundle.resolver";
import { CredentialResolver } from "./resolvers/credential.resolver";
import { DecisionResolver } from "./resolvers/decision.resolver";
import { GrantMutationsResolver } from "./resolvers/grant-mutations.resolver";
import { GrantResolver } from "./resolvers/grant.resolver";
import { MfaMutationsResolver } from "./resolvers/mfa-mutations.resolver";
import { PolicyMutationsResolver } from "./resolvers/policy-mutations.resolver";
import { PolicyResolver } from "./resolvers/policy.resolver";
import { ResourceTypeMutationsResolver } from "./resolvers/resource-type-mutations.resolver";
import { ResourceTypeResolver } from "./resolvers/resource-type.resolver";
import { RoleMutationsResolver } from "./resolvers/role-mutations.resolver";
import { RoleResolver } from "./resolvers/role.resolver";
import { SessionMutationsResolver } from "./resolvers/session-mutations.resolver";
import { SessionResolver } from "./resolvers/session.resolver";
import { SsoMappingMutationsResolver } from "./resolvers/sso-mapping-mutations.resolver";
import { SsoMappingResolver } from "./resolvers/sso-mapping.resolver";
import { TokenMutationsResolver } from "./resolvers/token-mutations.resolver";
import { TokenResolver } from "./resolvers/token.resolver";
import { UserMutationsResolver } from "./resolvers/user-mutations.resolver";
import { UserResolver } from "./resolvers/user.resolver";
import type { CheckContextInput, CheckInput, ResourceInput, SubjectInput } from "./types/decision.input";

// One naming scheme in resolvers/: `<area>.resolver.ts` holds the area's root
// queries and the field resolvers of its object types, `<area>-mutations.resolver.ts`
// its root mutations, `<area>-subscriptions.resolver.ts` its subscriptions.
export const RESOLVERS = [
  UserResolver,
  UserMutationsResolver,
  RoleResolver,
  RoleMutationsResolver,
  PolicyResolver,
  PolicyMutationsResolver,
  ResourceTypeResolver,
  ResourceTypeMutationsResolver,
  GrantResolver,
  GrantMutationsResolver,
  TokenResolver,
  TokenMutationsResolver,
  SessionResolver,
  SessionMutationsResolver,
  DecisionResolver,
  AuditResolver,
  AuditSubscriptionsResolver,
  SsoMappingResolver,
  SsoMappingMutationsResolver,
  MfaMutationsResolver,
  AccessRequestResolver,
  AccessReviewResolver,
  AccessRequestMutationsResolver,
  BundleResolver,
  BundleMutationsResolver,
  CredentialResolver,
] as const;

/** The schema's types and resolvers, unguarded: what is emitted as SDL. */
export function buildGraphQLSchema(): GraphQLSchema {
  const schema = buildSchemaSync({
    resolvers: RESOLVERS,
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    orphanedTypes: [],
    validate: false,
    pubSub: NO_PUB_SUB,
  });
  resolveDecisionsDirectly(schema);
  // JSON is a contract scalar even before a field uses it.
  const config = schema.toConfig();
  return new GraphQLSchema({ ...config, types: [...config.types, GraphQLJSON] });
}

/**
 * `can` and `canMany`, which gateways call on every request they serve, are
 * resolved without type-graphql's handler: it turns every input object of the
 * arguments into a class instance, which for a `canMany` list was a tenth of
 * the request's allocations (bench/README.md). graphql-js has already coerced
 * the arguments (defaults filled in, types checked); the same resolver methods
 * take them as the plain objects they are. Neither field has type-graphql
 * middleware or validation to skip; the guard wraps them like any other field.
 */
function resolveDecisionsDirectly(schema: GraphQLSchema): void {
  const fields = schema.getQueryType()!.getFields();
  const decisions = new DecisionResolver();
  interface About {
    subject?: SubjectInput | null;
    context?: CheckContextInput | null;
  }
  const can: GraphQLFieldResolver<unknown, RequestContext, About & { action: string; resource: ResourceInput }> = (
    _root,
    args,
    ctx,
  ) => decisions.can(ctx, args.action, args.resource, args.subject, args.context);
  const canMany: GraphQLFieldResolver<unknown, RequestContext, About & { checks: CheckInput[] }> = (_root, args, ctx) =>
    decisions.canMany(ctx, args.checks, args.subject, args.context);
  fields.can.resolve = can as GraphQLFieldResolver<unknown, unknown>;
  fields.canMany.resolve = canMany as GraphQLFieldResolver<unknown, unknown>;
}

/** The schema the server executes: every root field behind the guard. */
export function buildGuardedSchema(): GraphQLSchema {
  return guardSchema(buildGraphQLSchema());
}
