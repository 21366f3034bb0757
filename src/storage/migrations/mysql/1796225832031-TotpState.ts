import { MigrationInterface, QueryRunner } from "typeorm";

export class TotpState1796225832031 implements MigrationInterface {
  name = "TotpState1796225832031";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE `users` ADD `totp_secret` varchar(255) NULL");
    await queryRunner.query("ALTER TABLE `users` ADD `totp_last_step` int NULL");
    await queryRunner.query("ALTER TABLE `users` ADD `totp_failures` int NOT NULL DEFAULT '0'");
    await queryRunner.query("ALTER TABLE `users` ADD `totp_blocked_until` datetime(3) NULL");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE `users` DROP COLUMN `totp_blocked_until`");
    await queryRunner.query("ALTER TABLE `users` DROP COLUMN `totp_failures`");
    await queryRunner.query("ALTER TABLE `users` DROP COLUMN `totp_last_step`");
    await queryRunner.query("ALTER TABLE `users` DROP COLUMN `totp_secret`");
  }
}
