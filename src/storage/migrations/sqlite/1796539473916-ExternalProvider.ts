import { MigrationInterface, QueryRunner } from "typeorm";

// Written by hand rather than generated: the generator rebuilds `users` through a
// temporary table, and dropping `users` would cascade to grants and sessions.
// Existing rows keep a null provider: the first SSO login that presents their
// external id records its provider (docs/sso.md, upgrading).
export class ExternalProvider1796539473916 implements MigrationInterface {
  name = "ExternalProvider1796539473916";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "users" ADD COLUMN "external_provider" varchar(64)');
    await queryRunner.query('DROP INDEX "IDX_users_external_id"');
    await queryRunner.query(
      'CREATE INDEX "IDX_users_external_id_provider" ON "users" ("external_id", "external_provider") ',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "IDX_users_external_id_provider"');
    await queryRunner.query('CREATE INDEX "IDX_users_external_id" ON "users" ("external_id") ');
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "external_provider"');
  }
}
