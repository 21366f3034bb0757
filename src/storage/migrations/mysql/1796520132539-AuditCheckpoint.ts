import { MigrationInterface, QueryRunner } from "typeorm";

export class AuditCheckpoint1796520132539 implements MigrationInterface {
  name = "AuditCheckpoint1796520132539";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "CREATE TABLE `audit_checkpoint` (`id` int NOT NULL, `sequence` bigint NOT NULL, `hash` varchar(64) NOT NULL, `verified_at` datetime(3) NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP TABLE `audit_checkpoint`");
  }
}
