import { MigrationInterface, QueryRunner } from "typeorm";

export class AccessRequestThresholds1796519125037 implements MigrationInterface {
  name = "AccessRequestThresholds1796519125037";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE `access_requests` ADD `approvals_required` int NOT NULL DEFAULT '1'");
    await queryRunner.query("ALTER TABLE `access_requests` ADD `denials_required` int NOT NULL DEFAULT '1'");
    await queryRunner.query("CREATE INDEX `IDX_grants_access_request` ON `grants` (`access_request_id`)");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX `IDX_grants_access_request` ON `grants`");
    await queryRunner.query("ALTER TABLE `access_requests` DROP COLUMN `denials_required`");
    await queryRunner.query("ALTER TABLE `access_requests` DROP COLUMN `approvals_required`");
  }
}
