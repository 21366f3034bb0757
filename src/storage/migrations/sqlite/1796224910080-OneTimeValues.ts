import { MigrationInterface, QueryRunner } from "typeorm";

export class OneTimeValues1796224910080 implements MigrationInterface {
  name = "OneTimeValues1796224910080";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "one_time_values" ("key" varchar(255) PRIMARY KEY NOT NULL, "value" varchar(2048) NOT NULL, "expires_at" datetime(3) NOT NULL)',
    );
    await queryRunner.query('CREATE INDEX "IDX_one_time_values_expires" ON "one_time_values" ("expires_at") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "IDX_one_time_values_expires"');
    await queryRunner.query('DROP TABLE "one_time_values"');
  }
}
