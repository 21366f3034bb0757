import { MigrationInterface, QueryRunner } from "typeorm";

// Written by hand rather than generated: the generator rebuilds `users` through a
// temporary table, and dropping `users` would cascade to grants and sessions.
export class ScimRemovedAt1796224848721 implements MigrationInterface {
  name = "ScimRemovedAt1796224848721";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "users" ADD COLUMN "removed_at" datetime(3)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "removed_at"');
  }
}
