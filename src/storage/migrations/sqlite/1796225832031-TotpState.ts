import { MigrationInterface, QueryRunner } from "typeorm";

// Written by hand rather than generated: the generator rebuilds `users` through a
// temporary table, and dropping `users` would cascade to grants and sessions.
// ADD COLUMN keeps every row where it is.
export class TotpState1796225832031 implements MigrationInterface {
  name = "TotpState1796225832031";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "users" ADD COLUMN "totp_secret" varchar(255)');
    await queryRunner.query('ALTER TABLE "users" ADD COLUMN "totp_last_step" integer');
    await queryRunner.query('ALTER TABLE "users" ADD COLUMN "totp_failures" integer NOT NULL DEFAULT (0)');
    await queryRunner.query('ALTER TABLE "users" ADD COLUMN "totp_blocked_until" datetime(3)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "totp_blocked_until"');
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "totp_failures"');
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "totp_last_step"');
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "totp_secret"');
  }
}
