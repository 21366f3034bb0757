import type { MigrationInterface } from "typeorm";
import { Init1795511088864 } from "./1795511088864-Init";
import { OneTimeValues1796224910080 } from "./1796224910080-OneTimeValues";
import { ScimRemovedAt1796224848721 } from "./1796224848721-ScimRemovedAt";
import { TotpState1796225832031 } from "./1796225832031-TotpState";
import { AuditWriteCost1796227815942 } from "./1796227815942-AuditWriteCost";
import { AccessRequestThresholds1796519125037 } from "./1796519125037-AccessRequestThresholds";
import { AuditCheckpoint1796520132539 } from "./1796520132539-AuditCheckpoint";
import { ExternalProvider1796539473916 } from "./1796539473916-ExternalProvider";

/** Every mysql migration, oldest first. */
export const MYSQL_MIGRATIONS: Array<new () => MigrationInterface> = [
  Init1795511088864,
  ScimRemovedAt1796224848721,
  OneTimeValues1796224910080,
  TotpState1796225832031,
  AuditWriteCost1796227815942,
  AccessRequestThresholds1796519125037,
  AuditCheckpoint1796520132539,
  ExternalProvider1796539473916,
];
