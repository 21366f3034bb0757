import { MigrationInterface, QueryRunner } from "typeorm";

// Existing rows keep a null provider: the first SSO login that presents their
// external id records its provider (docs/sso.md, upgrading).
export class ExternalProvider1796539473916 implements MigrationInterface {
  name = "ExternalProvider1796539473916";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE `users` ADD `external_provider` varchar(64) NULL");
    await queryRunner.query("DROP INDEX `IDX_users_external_id` ON `users`");
    await queryRunner.query(
      "CREATE INDEX `IDX_users_external_id_provider` ON `users` (`external_id`, `external_provider`)",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX `IDX_users_external_id_provider` ON `users`");
    await queryRunner.query("CREATE INDEX `IDX_users_external_id` ON `users` (`external_id`)");
    await queryRunner.query("ALTER TABLE `users` DROP COLUMN `external_provider`");
  }
}
