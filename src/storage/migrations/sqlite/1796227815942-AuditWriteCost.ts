import { MigrationInterface, QueryRunner } from "typeorm";

export class AuditWriteCost1796227815942 implements MigrationInterface {
  name = "AuditWriteCost1796227815942";

  // Written from the generated one: typeorm does not diff WITHOUT ROWID, so the
  // rebuilt roles table gets it here (the entity says so for new schemas too).
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "IDX_audit_event_roles_role_seq"');
    await queryRunner.query(
      'CREATE TABLE "temporary_audit_event_roles" ("sequence" bigint NOT NULL, "role" varchar(64) NOT NULL, PRIMARY KEY ("sequence", "role")) WITHOUT ROWID',
    );
    await queryRunner.query(
      'INSERT INTO "temporary_audit_event_roles"("sequence", "role") SELECT "sequence", "role" FROM "audit_event_roles"',
    );
    await queryRunner.query('DROP TABLE "audit_event_roles"');
    await queryRunner.query('ALTER TABLE "temporary_audit_event_roles" RENAME TO "audit_event_roles"');
    await queryRunner.query(
      'CREATE INDEX "IDX_audit_event_roles_role_seq" ON "audit_event_roles" ("role", "sequence") ',
    );
    await queryRunner.query('DROP INDEX "UQ_audit_events_id"');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_audit_events_id" ON "audit_events" ("id") ');
    await queryRunner.query('DROP INDEX "IDX_audit_event_roles_role_seq"');
    await queryRunner.query('ALTER TABLE "audit_event_roles" RENAME TO "temporary_audit_event_roles"');
    await queryRunner.query(
      'CREATE TABLE "audit_event_roles" ("sequence" bigint NOT NULL, "role" varchar(64) NOT NULL, CONSTRAINT "FK_audit_event_roles_event" FOREIGN KEY ("sequence") REFERENCES "audit_events" ("sequence") ON DELETE CASCADE ON UPDATE NO ACTION, PRIMARY KEY ("sequence", "role"))',
    );
    await queryRunner.query(
      'INSERT INTO "audit_event_roles"("sequence", "role") SELECT "sequence", "role" FROM "temporary_audit_event_roles"',
    );
    await queryRunner.query('DROP TABLE "temporary_audit_event_roles"');
    await queryRunner.query(
      'CREATE INDEX "IDX_audit_event_roles_role_seq" ON "audit_event_roles" ("role", "sequence") ',
    );
  }
}
