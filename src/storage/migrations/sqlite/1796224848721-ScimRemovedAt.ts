import { MigrationInterface, QueryRunner } from "typeorm";

export class ScimRemovedAt1796224848721 implements MigrationInterface {
  name = "ScimRemovedAt1796224848721";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX \"IDX_users_external_id\"");
    await queryRunner.query("DROP INDEX \"UQ_users_email\"");
    await queryRunner.query("CREATE TABLE \"temporary_users\" (\"id\" varchar(36) PRIMARY KEY NOT NULL, \"email\" varchar(320) NOT NULL, \"display_name\" varchar(255), \"kind\" varchar(16) NOT NULL, \"status\" varchar(16) NOT NULL, \"source\" varchar(16) NOT NULL, \"external_id\" varchar(255), \"groups\" text NOT NULL, \"mfa_enrolled\" boolean NOT NULL DEFAULT (0), \"locked_reason\" varchar(255), \"created_at\" datetime(3) NOT NULL, \"last_seen_at\" datetime(3), \"removed_at\" datetime(3))");
    await queryRunner.query("INSERT INTO \"temporary_users\"(\"id\", \"email\", \"display_name\", \"kind\", \"status\", \"source\", \"external_id\", \"groups\", \"mfa_enrolled\", \"locked_reason\", \"created_at\", \"last_seen_at\") SELECT \"id\", \"email\", \"display_name\", \"kind\", \"status\", \"source\", \"external_id\", \"groups\", \"mfa_enrolled\", \"locked_reason\", \"created_at\", \"last_seen_at\" FROM \"users\"");
    await queryRunner.query("DROP TABLE \"users\"");
    await queryRunner.query("ALTER TABLE \"temporary_users\" RENAME TO \"users\"");
    await queryRunner.query("CREATE INDEX \"IDX_users_external_id\" ON \"users\" (\"external_id\") ");
    await queryRunner.query("CREATE UNIQUE INDEX \"UQ_users_email\" ON \"users\" (\"email\") ");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX \"UQ_users_email\"");
    await queryRunner.query("DROP INDEX \"IDX_users_external_id\"");
    await queryRunner.query("ALTER TABLE \"users\" RENAME TO \"temporary_users\"");
    await queryRunner.query("CREATE TABLE \"users\" (\"id\" varchar(36) PRIMARY KEY NOT NULL, \"email\" varchar(320) NOT NULL, \"display_name\" varchar(255), \"kind\" varchar(16) NOT NULL, \"status\" varchar(16) NOT NULL, \"source\" varchar(16) NOT NULL, \"external_id\" varchar(255), \"groups\" text NOT NULL, \"mfa_enrolled\" boolean NOT NULL DEFAULT (0), \"locked_reason\" varchar(255), \"created_at\" datetime(3) NOT NULL, \"last_seen_at\" datetime(3))");
    await queryRunner.query("INSERT INTO \"users\"(\"id\", \"email\", \"display_name\", \"kind\", \"status\", \"source\", \"external_id\", \"groups\", \"mfa_enrolled\", \"locked_reason\", \"created_at\", \"last_seen_at\") SELECT \"id\", \"email\", \"display_name\", \"kind\", \"status\", \"source\", \"external_id\", \"groups\", \"mfa_enrolled\", \"locked_reason\", \"created_at\", \"last_seen_at\" FROM \"temporary_users\"");
    await queryRunner.query("DROP TABLE \"temporary_users\"");
    await queryRunner.query("CREATE UNIQUE INDEX \"UQ_users_email\" ON \"users\" (\"email\") ");
    await queryRunner.query("CREATE INDEX \"IDX_users_external_id\" ON \"users\" (\"external_id\") ");
  }
}
