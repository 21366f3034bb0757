// Discovery (RFC 7644 §4): what this service provider supports, its resource
// types and the schemas of the attributes it keeps. These say exactly what the
// endpoints do: PATCH and eq filters yes; bulk, sort, ETags, password changes no.
import { GROUP_SCHEMA } from "./scim-group.mapper";
import { USER_SCHEMA } from "./scim-user.mapper";

export const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/** Largest page a list answers; larger `count`s are cut to it. */
export const MAX_RESULTS = 200;

export function serviceProviderConfig(base: string): Record<string, unknown> {
  return {
    schemas: [SPC_SCHEMA],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "Bearer token",
        description: "A portcullis token (ptc_…) in Authorization: Bearer",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string): Array<Record<string, unknown>> {
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: "User",
      name: "User",
      endpoint: "/Users",
      description: "portcullis users",
      schema: USER_SCHEMA,
      meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: "Group",
      name: "Group",
      endpoint: "/Groups",
      description: "Group names carried by users",
      schema: GROUP_SCHEMA,
      meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/Group` },
    },
  ];
}

type Attribute = Record<string, unknown>;

function attr(name: string, options: Partial<Attribute> = {}): Attribute {
  return {
    name,
    type: "string",
    multiValued: false,
    description: "",
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    ...options,
  };
}

const subValue = (description: string, options: Partial<Attribute> = {}) => [
  attr("value", { description, ...options }),
  attr("display", { mutability: "readOnly", description: "Human-readable name" }),
  attr("$ref", {
    type: "reference",
    referenceTypes: ["User", "Group"],
    mutability: "readOnly",
    description: "URI of the resource",
  }),
  attr("type", { mutability: "readOnly", description: "direct or User" }),
];

export function schemas(base: string): Array<Record<string, unknown>> {
  const user = {
    schemas: [SCHEMA_SCHEMA],
    id: USER_SCHEMA,
    name: "User",
    description: "User account",
    attributes: [
      attr("userName", {
        required: true,
        uniqueness: "server",
        description: "The user's email address, stored lower-cased; unique",
      }),
      attr("externalId", { caseExact: true, description: "The identity provider's id for the user" }),
      attr("name", {
        type: "complex",
        description: "Sets the display name when displayName is not sent",
        subAttributes: [attr("formatted"), attr("givenName"), attr("middleName"), attr("familyName")],
      }),
      attr("displayName", { description: "Display name" }),
      attr("active", {
        type: "boolean",
        description:
          "false deprovisions: sessions, tokens and grants end at once; re-activation is an administrator's decision",
      }),
      attr("emails", {
        type: "complex",
        multiValued: true,
        description: "The one address of the user; the primary value is the userName",
        subAttributes: [attr("value"), attr("type"), attr("primary", { type: "boolean" })],
      }),
      attr("groups", {
        type: "complex",
        multiValued: true,
        mutability: "readOnly",
        description: "Groups the user carries; change through /Groups",
        subAttributes: subValue("Group id", { mutability: "readOnly" }),
      }),
    ],
    meta: { resourceType: "Schema", location: `${base}/Schemas/${USER_SCHEMA}` },
  };
  const group = {
    schemas: [SCHEMA_SCHEMA],
    id: GROUP_SCHEMA,
    name: "Group",
    description: "Group",
    attributes: [
      attr("displayName", {
        required: true,
        caseExact: true,
        mutability: "immutable",
        uniqueness: "server",
        description: "The group's name, as grants and SSO mappings refer to it",
      }),
      attr("members", {
        type: "complex",
        multiValued: true,
        description: "Users carrying the group",
        subAttributes: subValue("User id", { mutability: "immutable" }),
      }),
    ],
    meta: { resourceType: "Schema", location: `${base}/Schemas/${GROUP_SCHEMA}` },
  };
  return [user, group];
}

export function listResponse(resources: unknown[], totalResults: number, startIndex: number): Record<string, unknown> {
  return { schemas: [LIST_SCHEMA], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}
