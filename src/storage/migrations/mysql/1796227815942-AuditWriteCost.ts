import { MigrationInterface, QueryRunner } from "typeorm";

export class AuditWriteCost1796227815942 implements MigrationInterface {
  name = "AuditWriteCost1796227815942";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE `audit_event_roles` DROP FOREIGN KEY `FK_audit_event_roles_event`");
    await queryRunner.query("DROP INDEX `UQ_audit_events_id` ON `audit_events`");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE UNIQUE INDEX `UQ_audit_events_id` ON `audit_events` (`id`)");
    await queryRunner.query(
      "ALTER TABLE `audit_event_roles` ADD CONSTRAINT `FK_audit_event_roles_event` FOREIGN KEY (`sequence`) REFERENCES `audit_events`(`sequence`) ON DELETE CASCADE ON UPDATE NO ACTION",
    );
  }
}
