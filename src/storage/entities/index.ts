import { AccessRequestEntity, AccessRequestRoleEntity, AccessReviewEntity } from "./access-request.entity";
import { AuditCheckpointEntity, AuditEventEntity, AuditEventRoleEntity, AuditHeadEntity } from "./audit-event.entity";
import { GrantEntity } from "./grant.entity";
import { OneTimeValueEntity } from "./one-time-value.entity";
import { PolicyEntity, PolicyVersionEntity } from "./policy.entity";
import { PolicyStateEntity } from "./policy-state.entity";
import { ResourceCapabilityEntity, ResourceTypeEntity } from "./resource-type.entity";
import { RoleLinkEntity, RolePolicyEntity } from "./role-link.entity";
import { RoleEntity } from "./role.entity";
import { SessionEntity } from "./session.entity";
import { SsoMappingEntity } from "./sso-mapping.entity";
import { TokenEntity } from "./token.entity";
import { UserEntity } from "./user.entity";

export {
  AccessRequestEntity,
  AccessRequestRoleEntity,
  AccessReviewEntity,
  AuditCheckpointEntity,
  AuditEventEntity,
  AuditEventRoleEntity,
  AuditHeadEntity,
  GrantEntity,
  OneTimeValueEntity,
  PolicyEntity,
  PolicyStateEntity,
  PolicyVersionEntity,
  ResourceCapabilityEntity,
  ResourceTypeEntity,
  RoleEntity,
  RoleLinkEntity,
  RolePolicyEntity,
  SessionEntity,
  SsoMappingEntity,
  TokenEntity,
  UserEntity,
};

export const ENTITIES = [
  UserEntity,
  ResourceTypeEntity,
  ResourceCapabilityEntity,
  PolicyEntity,
  PolicyVersionEntity,
  RoleEntity,
  RolePolicyEntity,
  RoleLinkEntity,
  GrantEntity,
  TokenEntity,
  SessionEntity,
  AuditEventEntity,
  AuditEventRoleEntity,
  AuditHeadEntity,
  SsoMappingEntity,
  AccessRequestEntity,
  AccessRequestRoleEntity,
  AccessReviewEntity,
  PolicyStateEntity,
  OneTimeValueEntity,
  AuditCheckpointEntity,
];
