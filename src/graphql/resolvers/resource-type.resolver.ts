import { Ctx, Query, Resolver } from "type-graphql";
import type { RequestContext } from "../context";
import { toResourceTypeType } from "../mappers";
import { ResourceTypeType } from "../types/resource-type.type";

@Resolver(() => ResourceTypeType)
export class ResourceTypeResolver {
  @Query(() => [ResourceTypeType])
  async resourceTypes(@Ctx() ctx: RequestContext): Promise<ResourceTypeType[]> {
    return (await ctx.services.storage.resourceTypes.all()).map(toResourceTypeType);
  }
}
