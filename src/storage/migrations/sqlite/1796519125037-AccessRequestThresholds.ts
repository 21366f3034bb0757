import { MigrationInterface, QueryRunner } from "typeorm";

// Written by hand: the generator rebuilds `access_requests` through a temporary
// table, and dropping it would cascade to the request's roles and reviews.
export class AccessRequestThresholds1796519125037 implements MigrationInterface {
  name = "AccessRequestThresholds1796519125037";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "access_requests" ADD COLUMN "approvals_required" integer NOT NULL DEFAULT (1)',
    );
    await queryRunner.query('ALTER TABLE "access_requests" ADD COLUMN "denials_required" integer NOT NULL DEFAULT (1)');
    await queryRunner.query('CREATE INDEX "IDX_grants_access_request" ON "grants" ("access_request_id") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "IDX_grants_access_request"');
    await queryRunner.query('ALTER TABLE "access_requests" DROP COLUMN "denials_required"');
    await queryRunner.query('ALTER TABLE "access_requests" DROP COLUMN "approvals_required"');
  }
}
