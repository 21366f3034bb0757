import { GraphQLSchema } from "graphql";
import { GraphQLDateTime, GraphQLJSON } from "graphql-scalars";
import { buildSchemaSync } from "type-graphql";
import { requireAuthentication } from "./authenticated.middleware";
import { GrantResolver } from "./resolvers/grant.resolver";
import { PolicyResolver } from "./resolvers/policy.resolver";
import { ResourceTypeResolver } from "./resolvers/resource-type.resolver";
import { RoleResolver } from "./resolvers/role.resolver";
import { TokenResolver } from "./resolvers/token.resolver";
import { UserResolver } from "./resolvers/user.resolver";

export const RESOLVERS = [UserResolver, RoleResolver, PolicyResolver, ResourceTypeResolver, GrantResolver, TokenResolver] as const;

/** The executable schema. Pure: the same code always emits the same SDL. */
export function buildGraphQLSchema(): GraphQLSchema {
  const schema = buildSchemaSync({
    resolvers: RESOLVERS,
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    orphanedTypes: [],
    globalMiddlewares: [requireAuthentication],
    validate: false,
  });
  // JSON is a contract scalar even before a field uses it.
  const config = schema.toConfig();
  return new GraphQLSchema({ ...config, types: [...config.types, GraphQLJSON] });
}
