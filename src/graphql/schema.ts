import "reflect-metadata";
import { GraphQLSchema } from "graphql";
import { GraphQLDateTime, GraphQLJSON } from "graphql-scalars";
import { buildSchemaSync } from "type-graphql";
import { guardSchema } from "./guard/shield-guard";
import { NO_PUB_SUB } from "./no-pub-sub";
import { DecisionResolver } from "./resolvers/decision.resolver";
import { GrantAdminResolver } from "./resolvers/grant-admin.resolver";
import { GrantResolver } from "./resolvers/grant.resolver";
import { PolicyMutationResolver } from "./resolvers/policy-mutation.resolver";
import { PolicyResolver } from "./resolvers/policy.resolver";
import { ResourceTypeMutationResolver } from "./resolvers/resource-type-mutation.resolver";
import { ResourceTypeResolver } from "./resolvers/resource-type.resolver";
import { RoleMutationResolver } from "./resolvers/role-mutation.resolver";
import { RoleResolver } from "./resolvers/role.resolver";
import { TokenResolver } from "./resolvers/token.resolver";
import { UserAdminResolver } from "./resolvers/user-admin.resolver";
import { AuditResolver } from "./resolvers/audit.resolver";
import { BundleResolver } from "./resolvers/bundle.resolver";
import { AuditSubscriptionResolver } from "./resolvers/audit-subscription.resolver";
import { MfaResolver } from "./resolvers/mfa.resolver";
import { SsoMappingResolver } from "./resolvers/sso-mapping.resolver";
import { UserResolver } from "./resolvers/user.resolver";
import { AccessRequestResolver, AccessReviewResolver } from "./resolvers/access-request.resolver";

import { CredentialResolver } from "./resolvers/credential.resolver";
export const RESOLVERS = [
  UserResolver,
  RoleResolver,
  PolicyResolver,
  ResourceTypeResolver,
  GrantResolver,
  TokenResolver,
  DecisionResolver,
  PolicyMutationResolver,
  RoleMutationResolver,
  ResourceTypeMutationResolver,
  GrantAdminResolver,
  UserAdminResolver,
  AuditResolver,
  AuditSubscriptionResolver,
  SsoMappingResolver,
  MfaResolver,
  AccessRequestResolver,
  AccessReviewResolver,
  BundleResolver,
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
  // JSON is a contract scalar even before a field uses it.
  const config = schema.toConfig();
  return new GraphQLSchema({ ...config, types: [...config.types, GraphQLJSON] });
}

/** The schema the server executes: every root field behind the guard. */
export function buildGuardedSchema(): GraphQLSchema {
  return guardSchema(buildGraphQLSchema());
}
