import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import type { RequestContext } from "../context";
import { toResourceTypeType } from "../mappers";
import { ResourceTypeType } from "../types/resource-type.type";

/** registerResourceType; the guard has checked resource_type:create, the service does the rest. */
@Resolver()
export class ResourceTypeMutationsResolver {
  @Mutation(() => ResourceTypeType, {
    description:
      "Adds a resource type, or capabilities to one, from a YAML document (`kind: resourceType`; format in docs/documents.md). Never removes a capability or changes a level.",
  })
  async registerResourceType(
    @Ctx() ctx: RequestContext,
    @Arg("document", () => String) document: string,
  ): Promise<ResourceTypeType> {
    return toResourceTypeType(await ctx.services.resourceTypes.register(ctx.principal!, document, ctx.requestId));
  }
}
