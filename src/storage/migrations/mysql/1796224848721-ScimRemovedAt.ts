import { MigrationInterface, QueryRunner } from "typeorm";

export class ScimRemovedAt1796224848721 implements MigrationInterface {
  name = "ScimRemovedAt1796224848721";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE `users` ADD `removed_at` datetime(3) NULL");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE `users` DROP COLUMN `removed_at`");
  }
}
