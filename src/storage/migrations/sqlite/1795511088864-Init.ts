import { MigrationInterface, QueryRunner } from "typeorm";

export class Init1795511088864 implements MigrationInterface {
  name = "Init1795511088864";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "roles" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(64) NOT NULL, "name_key" varchar(64) NOT NULL, "description" text, "built_in" boolean NOT NULL DEFAULT (0), "superuser" boolean NOT NULL DEFAULT (0), "max_session_ttl_seconds" integer, "require_session_mfa" boolean NOT NULL DEFAULT (0), "approvals_required" integer NOT NULL DEFAULT (1), "denials_required" integer NOT NULL DEFAULT (1), "version" integer NOT NULL, "document" text NOT NULL, "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL)',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_roles_name_key" ON "roles" ("name_key") ');
    await queryRunner.query(
      'CREATE TABLE "users" ("id" varchar(36) PRIMARY KEY NOT NULL, "email" varchar(320) NOT NULL, "display_name" varchar(255), "kind" varchar(16) NOT NULL, "status" varchar(16) NOT NULL, "source" varchar(16) NOT NULL, "external_id" varchar(255), "groups" text NOT NULL, "mfa_enrolled" boolean NOT NULL DEFAULT (0), "locked_reason" varchar(255), "created_at" datetime(3) NOT NULL, "last_seen_at" datetime(3))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_users_email" ON "users" ("email") ');
    await queryRunner.query('CREATE INDEX "IDX_users_external_id" ON "users" ("external_id") ');
    await queryRunner.query(
      'CREATE TABLE "access_requests" ("id" varchar(36) PRIMARY KEY NOT NULL, "requester_id" varchar(36) NOT NULL, "reason" text NOT NULL, "scope" varchar(255) NOT NULL DEFAULT (\'\'), "status" varchar(16) NOT NULL, "ttl_seconds" integer NOT NULL, "created_at" datetime(3) NOT NULL, "expires_at" datetime(3), "decided_at" datetime(3))',
    );
    await queryRunner.query('CREATE INDEX "IDX_access_requests_status" ON "access_requests" ("status", "created_at") ');
    await queryRunner.query(
      'CREATE INDEX "IDX_access_requests_requester" ON "access_requests" ("requester_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "access_request_roles" ("request_id" varchar(36) NOT NULL, "role_id" varchar(36) NOT NULL, "position" integer NOT NULL, PRIMARY KEY ("request_id", "role_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "access_reviews" ("id" varchar(36) PRIMARY KEY NOT NULL, "request_id" varchar(36) NOT NULL, "reviewer_id" varchar(36) NOT NULL, "approve" boolean NOT NULL, "comment" text, "created_at" datetime(3) NOT NULL)',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_access_reviews_request_reviewer" ON "access_reviews" ("request_id", "reviewer_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "audit_events" ("sequence" bigint PRIMARY KEY NOT NULL, "id" varchar(36) NOT NULL, "time" datetime(3) NOT NULL, "actor_id" varchar(36), "actor_email" varchar(320), "actor_roles" text NOT NULL, "token_id" varchar(36), "source_ip" varchar(45), "operation" varchar(128) NOT NULL, "action" varchar(64), "resource_type" varchar(64), "resource_namespace" varchar(255), "resource_name" varchar(255), "subject_id" varchar(36), "decision" varchar(8) NOT NULL, "reason" varchar(32) NOT NULL, "request_id" varchar(64), "metadata" text, "prev_hash" varchar(64) NOT NULL, "hash" varchar(64) NOT NULL)',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_audit_events_id" ON "audit_events" ("id") ');
    await queryRunner.query(
      'CREATE INDEX "IDX_audit_resource_name_seq" ON "audit_events" ("resource_name", "sequence") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_audit_resource_type_seq" ON "audit_events" ("resource_type", "sequence") ',
    );
    await queryRunner.query('CREATE INDEX "IDX_audit_operation_seq" ON "audit_events" ("operation", "sequence") ');
    await queryRunner.query('CREATE INDEX "IDX_audit_decision_seq" ON "audit_events" ("decision", "sequence") ');
    await queryRunner.query('CREATE INDEX "IDX_audit_actor_email_seq" ON "audit_events" ("actor_email", "sequence") ');
    await queryRunner.query('CREATE INDEX "IDX_audit_actor_seq" ON "audit_events" ("actor_id", "sequence") ');
    await queryRunner.query('CREATE INDEX "IDX_audit_time_seq" ON "audit_events" ("time", "sequence") ');
    await queryRunner.query(
      'CREATE TABLE "audit_event_roles" ("sequence" bigint NOT NULL, "role" varchar(64) NOT NULL, PRIMARY KEY ("sequence", "role"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_audit_event_roles_role_seq" ON "audit_event_roles" ("role", "sequence") ',
    );
    await queryRunner.query(
      'CREATE TABLE "audit_head" ("id" integer PRIMARY KEY NOT NULL, "sequence" bigint NOT NULL, "hash" varchar(64) NOT NULL)',
    );
    await queryRunner.query(
      'CREATE TABLE "grants" ("id" varchar(36) PRIMARY KEY NOT NULL, "subject_type" varchar(8) NOT NULL, "user_id" varchar(36), "group_name" varchar(255), "role_id" varchar(36) NOT NULL, "scope" varchar(255) NOT NULL DEFAULT (\'\'), "active" boolean NOT NULL DEFAULT (1), "starts_at" datetime(3), "expires_at" datetime(3), "reason" text, "source" varchar(16) NOT NULL, "sso_provider" varchar(64), "access_request_id" varchar(36), "created_by_id" varchar(36), "created_at" datetime(3) NOT NULL)',
    );
    await queryRunner.query('CREATE INDEX "IDX_grants_role" ON "grants" ("role_id") ');
    await queryRunner.query('CREATE INDEX "IDX_grants_group" ON "grants" ("group_name") ');
    await queryRunner.query('CREATE INDEX "IDX_grants_user" ON "grants" ("user_id") ');
    await queryRunner.query(
      'CREATE TABLE "policies" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(64) NOT NULL, "name_key" varchar(64) NOT NULL, "description" text, "version" integer NOT NULL, "built_in" boolean NOT NULL DEFAULT (0), "document" text NOT NULL, "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL)',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_policies_name_key" ON "policies" ("name_key") ');
    await queryRunner.query(
      'CREATE TABLE "policy_versions" ("id" varchar(36) PRIMARY KEY NOT NULL, "policy_id" varchar(36) NOT NULL, "version" integer NOT NULL, "document" text NOT NULL, "created_by_id" varchar(36), "created_at" datetime(3) NOT NULL)',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_policy_versions_policy_version" ON "policy_versions" ("policy_id", "version") ',
    );
    await queryRunner.query(
      'CREATE TABLE "policy_state" ("id" integer PRIMARY KEY NOT NULL, "version" bigint NOT NULL)',
    );
    await queryRunner.query(
      'CREATE TABLE "resource_types" ("name" varchar(64) PRIMARY KEY NOT NULL, "built_in" boolean NOT NULL DEFAULT (0), "created_at" datetime(3) NOT NULL)',
    );
    await queryRunner.query(
      'CREATE TABLE "resource_capabilities" ("type_name" varchar(64) NOT NULL, "capability" varchar(64) NOT NULL, "level" varchar(16) NOT NULL, "created_at" datetime(3) NOT NULL, PRIMARY KEY ("type_name", "capability"))',
    );
    await queryRunner.query(
      'CREATE TABLE "role_policies" ("role_id" varchar(36) NOT NULL, "policy_id" varchar(36) NOT NULL, "position" integer NOT NULL, PRIMARY KEY ("role_id", "policy_id"))',
    );
    await queryRunner.query('CREATE INDEX "IDX_role_policies_policy" ON "role_policies" ("policy_id") ');
    await queryRunner.query(
      'CREATE TABLE "role_links" ("role_id" varchar(36) NOT NULL, "kind" varchar(16) NOT NULL, "target_role_id" varchar(36) NOT NULL, "position" integer NOT NULL, PRIMARY KEY ("role_id", "kind", "target_role_id"))',
    );
    await queryRunner.query('CREATE INDEX "IDX_role_links_target" ON "role_links" ("target_role_id") ');
    await queryRunner.query(
      'CREATE TABLE "sessions" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36) NOT NULL, "secret_hash" varchar(64) NOT NULL, "source" varchar(16) NOT NULL, "mfa" boolean NOT NULL DEFAULT (0), "mfa_verified_until" datetime(3), "source_ip" varchar(45), "created_at" datetime(3) NOT NULL, "expires_at" datetime(3) NOT NULL, "last_seen_at" datetime(3), "revoked_at" datetime(3))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_sessions_secret_hash" ON "sessions" ("secret_hash") ');
    await queryRunner.query('CREATE INDEX "IDX_sessions_user" ON "sessions" ("user_id") ');
    await queryRunner.query(
      'CREATE TABLE "sso_mappings" ("id" varchar(36) PRIMARY KEY NOT NULL, "provider" varchar(64) NOT NULL, "group_pattern" varchar(255) NOT NULL, "role_id" varchar(36) NOT NULL, "scope" varchar(255) NOT NULL DEFAULT (\'\'), "position" integer NOT NULL)',
    );
    await queryRunner.query('CREATE INDEX "IDX_sso_mappings_role" ON "sso_mappings" ("role_id") ');
    await queryRunner.query('CREATE INDEX "IDX_sso_mappings_provider" ON "sso_mappings" ("provider", "position") ');
    await queryRunner.query(
      'CREATE TABLE "tokens" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(128) NOT NULL, "owner_id" varchar(36) NOT NULL, "secret_hash" varchar(64) NOT NULL, "hint" varchar(16) NOT NULL, "roles" text NOT NULL, "bound_cidrs" text NOT NULL, "break_glass" boolean NOT NULL DEFAULT (0), "ttl_seconds" integer, "created_by_id" varchar(36), "created_at" datetime(3) NOT NULL, "expires_at" datetime(3), "last_used_at" datetime(3), "last_used_ip" varchar(45), "revoked_at" datetime(3))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_tokens_secret_hash" ON "tokens" ("secret_hash") ');
    await queryRunner.query('CREATE INDEX "IDX_tokens_owner" ON "tokens" ("owner_id") ');
    await queryRunner.query('DROP INDEX "IDX_access_requests_status"');
    await queryRunner.query('DROP INDEX "IDX_access_requests_requester"');
    await queryRunner.query(
      'CREATE TABLE "temporary_access_requests" ("id" varchar(36) PRIMARY KEY NOT NULL, "requester_id" varchar(36) NOT NULL, "reason" text NOT NULL, "scope" varchar(255) NOT NULL DEFAULT (\'\'), "status" varchar(16) NOT NULL, "ttl_seconds" integer NOT NULL, "created_at" datetime(3) NOT NULL, "expires_at" datetime(3), "decided_at" datetime(3), CONSTRAINT "FK_access_requests_requester" FOREIGN KEY ("requester_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)',
    );
    await queryRunner.query(
      'INSERT INTO "temporary_access_requests"("id", "requester_id", "reason", "scope", "status", "ttl_seconds", "created_at", "expires_at", "decided_at") SELECT "id", "requester_id", "reason", "scope", "status", "ttl_seconds", "created_at", "expires_at", "decided_at" FROM "access_requests"',
    );
    await queryRunner.query('DROP TABLE "access_requests"');
    await queryRunner.query('ALTER TABLE "temporary_access_requests" RENAME TO "access_requests"');
    await queryRunner.query('CREATE INDEX "IDX_access_requests_status" ON "access_requests" ("status", "created_at") ');
    await queryRunner.query(
      'CREATE INDEX "IDX_access_requests_requester" ON "access_requests" ("requester_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "temporary_access_request_roles" ("request_id" varchar(36) NOT NULL, "role_id" varchar(36) NOT NULL, "position" integer NOT NULL, CONSTRAINT "FK_access_request_roles_request" FOREIGN KEY ("request_id") REFERENCES "access_requests" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_access_request_roles_role" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, PRIMARY KEY ("request_id", "role_id"))',
    );
    await queryRunner.query(
      'INSERT INTO "temporary_access_request_roles"("request_id", "role_id", "position") SELECT "request_id", "role_id", "position" FROM "access_request_roles"',
    );
    await queryRunner.query('DROP TABLE "access_request_roles"');
    await queryRunner.query('ALTER TABLE "temporary_access_request_roles" RENAME TO "access_request_roles"');
    await queryRunner.query('DROP INDEX "UQ_access_reviews_request_reviewer"');
    await queryRunner.query(
      'CREATE TABLE "temporary_access_reviews" ("id" varchar(36) PRIMARY KEY NOT NULL, "request_id" varchar(36) NOT NULL, "reviewer_id" varchar(36) NOT NULL, "approve" boolean NOT NULL, "comment" text, "created_at" datetime(3) NOT NULL, CONSTRAINT "FK_access_reviews_request" FOREIGN KEY ("request_id") REFERENCES "access_requests" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_access_reviews_reviewer" FOREIGN KEY ("reviewer_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)',
    );
    await queryRunner.query(
      'INSERT INTO "temporary_access_reviews"("id", "request_id", "reviewer_id", "approve", "comment", "created_at") SELECT "id", "request_id", "reviewer_id", "approve", "comment", "created_at" FROM "access_reviews"',
    );
    await queryRunner.query('DROP TABLE "access_reviews"');
    await queryRunner.query('ALTER TABLE "temporary_access_reviews" RENAME TO "access_reviews"');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_access_reviews_request_reviewer" ON "access_reviews" ("request_id", "reviewer_id") ',
    );
    await queryRunner.query('DROP INDEX "IDX_audit_event_roles_role_seq"');
    await queryRunner.query(
      'CREATE TABLE "temporary_audit_event_roles" ("sequence" bigint NOT NULL, "role" varchar(64) NOT NULL, CONSTRAINT "FK_audit_event_roles_event" FOREIGN KEY ("sequence") REFERENCES "audit_events" ("sequence") ON DELETE CASCADE ON UPDATE NO ACTION, PRIMARY KEY ("sequence", "role"))',
    );
    await queryRunner.query(
      'INSERT INTO "temporary_audit_event_roles"("sequence", "role") SELECT "sequence", "role" FROM "audit_event_roles"',
    );
    await queryRunner.query('DROP TABLE "audit_event_roles"');
    await queryRunner.query('ALTER TABLE "temporary_audit_event_roles" RENAME TO "audit_event_roles"');
    await queryRunner.query(
      'CREATE INDEX "IDX_audit_event_roles_role_seq" ON "audit_event_roles" ("role", "sequence") ',
    );
    await queryRunner.query('DROP INDEX "IDX_grants_role"');
    await queryRunner.query('DROP INDEX "IDX_grants_group"');
    await queryRunner.query('DROP INDEX "IDX_grants_user"');
    await queryRunner.query(
      'CREATE TABLE "temporary_grants" ("id" varchar(36) PRIMARY KEY NOT NULL, "subject_type" varchar(8) NOT NULL, "user_id" varchar(36), "group_name" varchar(255), "role_id" varchar(36) NOT NULL, "scope" varchar(255) NOT NULL DEFAULT (\'\'), "active" boolean NOT NULL DEFAULT (1), "starts_at" datetime(3), "expires_at" datetime(3), "reason" text, "source" varchar(16) NOT NULL, "sso_provider" varchar(64), "access_request_id" varchar(36), "created_by_id" varchar(36), "created_at" datetime(3) NOT NULL, CONSTRAINT "FK_grants_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_grants_role" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION)',
    );
    await queryRunner.query(
      'INSERT INTO "temporary_grants"("id", "subject_type", "user_id", "group_name", "role_id", "scope", "active", "starts_at", "expires_at", "reason", "source", "sso_provider", "access_request_id", "created_by_id", "created_at") SELECT "id", "subject_type", "user_id", "group_name", "role_id", "scope", "active", "starts_at", "expires_at", "reason", "source", "sso_provider", "access_request_id", "created_by_id", "created_at" FROM "grants"',
    );
    await queryRunner.query('DROP TABLE "grants"');
    await queryRunner.query('ALTER TABLE "temporary_grants" RENAME TO "grants"');
    await queryRunner.query('CREATE INDEX "IDX_grants_role" ON "grants" ("role_id") ');
    await queryRunner.query('CREATE INDEX "IDX_grants_group" ON "grants" ("group_name") ');
    await queryRunner.query('CREATE INDEX "IDX_grants_user" ON "grants" ("user_id") ');
    await queryRunner.query('DROP INDEX "UQ_policy_versions_policy_version"');
    await queryRunner.query(
      'CREATE TABLE "temporary_policy_versions" ("id" varchar(36) PRIMARY KEY NOT NULL, "policy_id" varchar(36) NOT NULL, "version" integer NOT NULL, "document" text NOT NULL, "created_by_id" varchar(36), "created_at" datetime(3) NOT NULL, CONSTRAINT "FK_policy_versions_policy" FOREIGN KEY ("policy_id") REFERENCES "policies" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)',
    );
    await queryRunner.query(
      'INSERT INTO "temporary_policy_versions"("id", "policy_id", "version", "document", "created_by_id", "created_at") SELECT "id", "policy_id", "version", "document", "created_by_id", "created_at" FROM "policy_versions"',
    );
    await queryRunner.query('DROP TABLE "policy_versions"');
    await queryRunner.query('ALTER TABLE "temporary_policy_versions" RENAME TO "policy_versions"');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_policy_versions_policy_version" ON "policy_versions" ("policy_id", "version") ',
    );
    await queryRunner.query(
      'CREATE TABLE "temporary_resource_capabilities" ("type_name" varchar(64) NOT NULL, "capability" varchar(64) NOT NULL, "level" varchar(16) NOT NULL, "created_at" datetime(3) NOT NULL, CONSTRAINT "FK_resource_capabilities_type" FOREIGN KEY ("type_name") REFERENCES "resource_types" ("name") ON DELETE CASCADE ON UPDATE NO ACTION, PRIMARY KEY ("type_name", "capability"))',
    );
    await queryRunner.query(
      'INSERT INTO "temporary_resource_capabilities"("type_name", "capability", "level", "created_at") SELECT "type_name", "capability", "level", "created_at" FROM "resource_capabilities"',
    );
    await queryRunner.query('DROP TABLE "resource_capabilities"');
    await queryRunner.query('ALTER TABLE "temporary_resource_capabilities" RENAME TO "resource_capabilities"');
    await queryRunner.query('DROP INDEX "IDX_role_policies_policy"');
    await queryRunner.query(
      'CREATE TABLE "temporary_role_policies" ("role_id" varchar(36) NOT NULL, "policy_id" varchar(36) NOT NULL, "position" integer NOT NULL, CONSTRAINT "FK_role_policies_role" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_role_policies_policy" FOREIGN KEY ("policy_id") REFERENCES "policies" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION, PRIMARY KEY ("role_id", "policy_id"))',
    );
    await queryRunner.query(
      'INSERT INTO "temporary_role_policies"("role_id", "policy_id", "position") SELECT "role_id", "policy_id", "position" FROM "role_policies"',
    );
    await queryRunner.query('DROP TABLE "role_policies"');
    await queryRunner.query('ALTER TABLE "temporary_role_policies" RENAME TO "role_policies"');
    await queryRunner.query('CREATE INDEX "IDX_role_policies_policy" ON "role_policies" ("policy_id") ');
    await queryRunner.query('DROP INDEX "IDX_role_links_target"');
    await queryRunner.query(
      'CREATE TABLE "temporary_role_links" ("role_id" varchar(36) NOT NULL, "kind" varchar(16) NOT NULL, "target_role_id" varchar(36) NOT NULL, "position" integer NOT NULL, CONSTRAINT "FK_role_links_role" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_role_links_target" FOREIGN KEY ("target_role_id") REFERENCES "roles" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION, PRIMARY KEY ("role_id", "kind", "target_role_id"))',
    );
    await queryRunner.query(
      'INSERT INTO "temporary_role_links"("role_id", "kind", "target_role_id", "position") SELECT "role_id", "kind", "target_role_id", "position" FROM "role_links"',
    );
    await queryRunner.query('DROP TABLE "role_links"');
    await queryRunner.query('ALTER TABLE "temporary_role_links" RENAME TO "role_links"');
    await queryRunner.query('CREATE INDEX "IDX_role_links_target" ON "role_links" ("target_role_id") ');
    await queryRunner.query('DROP INDEX "UQ_sessions_secret_hash"');
    await queryRunner.query('DROP INDEX "IDX_sessions_user"');
    await queryRunner.query(
      'CREATE TABLE "temporary_sessions" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36) NOT NULL, "secret_hash" varchar(64) NOT NULL, "source" varchar(16) NOT NULL, "mfa" boolean NOT NULL DEFAULT (0), "mfa_verified_until" datetime(3), "source_ip" varchar(45), "created_at" datetime(3) NOT NULL, "expires_at" datetime(3) NOT NULL, "last_seen_at" datetime(3), "revoked_at" datetime(3), CONSTRAINT "FK_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)',
    );
    await queryRunner.query(
      'INSERT INTO "temporary_sessions"("id", "user_id", "secret_hash", "source", "mfa", "mfa_verified_until", "source_ip", "created_at", "expires_at", "last_seen_at", "revoked_at") SELECT "id", "user_id", "secret_hash", "source", "mfa", "mfa_verified_until", "source_ip", "created_at", "expires_at", "last_seen_at", "revoked_at" FROM "sessions"',
    );
    await queryRunner.query('DROP TABLE "sessions"');
    await queryRunner.query('ALTER TABLE "temporary_sessions" RENAME TO "sessions"');
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_sessions_secret_hash" ON "sessions" ("secret_hash") ');
    await queryRunner.query('CREATE INDEX "IDX_sessions_user" ON "sessions" ("user_id") ');
    await queryRunner.query('DROP INDEX "IDX_sso_mappings_role"');
    await queryRunner.query('DROP INDEX "IDX_sso_mappings_provider"');
    await queryRunner.query(
      'CREATE TABLE "temporary_sso_mappings" ("id" varchar(36) PRIMARY KEY NOT NULL, "provider" varchar(64) NOT NULL, "group_pattern" varchar(255) NOT NULL, "role_id" varchar(36) NOT NULL, "scope" varchar(255) NOT NULL DEFAULT (\'\'), "position" integer NOT NULL, CONSTRAINT "FK_sso_mappings_role" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION)',
    );
    await queryRunner.query(
      'INSERT INTO "temporary_sso_mappings"("id", "provider", "group_pattern", "role_id", "scope", "position") SELECT "id", "provider", "group_pattern", "role_id", "scope", "position" FROM "sso_mappings"',
    );
    await queryRunner.query('DROP TABLE "sso_mappings"');
    await queryRunner.query('ALTER TABLE "temporary_sso_mappings" RENAME TO "sso_mappings"');
    await queryRunner.query('CREATE INDEX "IDX_sso_mappings_role" ON "sso_mappings" ("role_id") ');
    await queryRunner.query('CREATE INDEX "IDX_sso_mappings_provider" ON "sso_mappings" ("provider", "position") ');
    await queryRunner.query('DROP INDEX "UQ_tokens_secret_hash"');
    await queryRunner.query('DROP INDEX "IDX_tokens_owner"');
    await queryRunner.query(
      'CREATE TABLE "temporary_tokens" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(128) NOT NULL, "owner_id" varchar(36) NOT NULL, "secret_hash" varchar(64) NOT NULL, "hint" varchar(16) NOT NULL, "roles" text NOT NULL, "bound_cidrs" text NOT NULL, "break_glass" boolean NOT NULL DEFAULT (0), "ttl_seconds" integer, "created_by_id" varchar(36), "created_at" datetime(3) NOT NULL, "expires_at" datetime(3), "last_used_at" datetime(3), "last_used_ip" varchar(45), "revoked_at" datetime(3), CONSTRAINT "FK_tokens_owner" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)',
    );
    await queryRunner.query(
      'INSERT INTO "temporary_tokens"("id", "name", "owner_id", "secret_hash", "hint", "roles", "bound_cidrs", "break_glass", "ttl_seconds", "created_by_id", "created_at", "expires_at", "last_used_at", "last_used_ip", "revoked_at") SELECT "id", "name", "owner_id", "secret_hash", "hint", "roles", "bound_cidrs", "break_glass", "ttl_seconds", "created_by_id", "created_at", "expires_at", "last_used_at", "last_used_ip", "revoked_at" FROM "tokens"',
    );
    await queryRunner.query('DROP TABLE "tokens"');
    await queryRunner.query('ALTER TABLE "temporary_tokens" RENAME TO "tokens"');
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_tokens_secret_hash" ON "tokens" ("secret_hash") ');
    await queryRunner.query('CREATE INDEX "IDX_tokens_owner" ON "tokens" ("owner_id") ');
    // Single rows: the audit chain starts empty (sequence 0, genesis hash), the policy state at version 0.
    await queryRunner.query(
      'INSERT INTO "audit_head" ("id", "sequence", "hash") VALUES (1, 0, \'0000000000000000000000000000000000000000000000000000000000000000\')',
    );
    await queryRunner.query('INSERT INTO "policy_state" ("id", "version") VALUES (1, 0)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "IDX_tokens_owner"');
    await queryRunner.query('DROP INDEX "UQ_tokens_secret_hash"');
    await queryRunner.query('ALTER TABLE "tokens" RENAME TO "temporary_tokens"');
    await queryRunner.query(
      'CREATE TABLE "tokens" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(128) NOT NULL, "owner_id" varchar(36) NOT NULL, "secret_hash" varchar(64) NOT NULL, "hint" varchar(16) NOT NULL, "roles" text NOT NULL, "bound_cidrs" text NOT NULL, "break_glass" boolean NOT NULL DEFAULT (0), "ttl_seconds" integer, "created_by_id" varchar(36), "created_at" datetime(3) NOT NULL, "expires_at" datetime(3), "last_used_at" datetime(3), "last_used_ip" varchar(45), "revoked_at" datetime(3))',
    );
    await queryRunner.query(
      'INSERT INTO "tokens"("id", "name", "owner_id", "secret_hash", "hint", "roles", "bound_cidrs", "break_glass", "ttl_seconds", "created_by_id", "created_at", "expires_at", "last_used_at", "last_used_ip", "revoked_at") SELECT "id", "name", "owner_id", "secret_hash", "hint", "roles", "bound_cidrs", "break_glass", "ttl_seconds", "created_by_id", "created_at", "expires_at", "last_used_at", "last_used_ip", "revoked_at" FROM "temporary_tokens"',
    );
    await queryRunner.query('DROP TABLE "temporary_tokens"');
    await queryRunner.query('CREATE INDEX "IDX_tokens_owner" ON "tokens" ("owner_id") ');
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_tokens_secret_hash" ON "tokens" ("secret_hash") ');
    await queryRunner.query('DROP INDEX "IDX_sso_mappings_provider"');
    await queryRunner.query('DROP INDEX "IDX_sso_mappings_role"');
    await queryRunner.query('ALTER TABLE "sso_mappings" RENAME TO "temporary_sso_mappings"');
    await queryRunner.query(
      'CREATE TABLE "sso_mappings" ("id" varchar(36) PRIMARY KEY NOT NULL, "provider" varchar(64) NOT NULL, "group_pattern" varchar(255) NOT NULL, "role_id" varchar(36) NOT NULL, "scope" varchar(255) NOT NULL DEFAULT (\'\'), "position" integer NOT NULL)',
    );
    await queryRunner.query(
      'INSERT INTO "sso_mappings"("id", "provider", "group_pattern", "role_id", "scope", "position") SELECT "id", "provider", "group_pattern", "role_id", "scope", "position" FROM "temporary_sso_mappings"',
    );
    await queryRunner.query('DROP TABLE "temporary_sso_mappings"');
    await queryRunner.query('CREATE INDEX "IDX_sso_mappings_provider" ON "sso_mappings" ("provider", "position") ');
    await queryRunner.query('CREATE INDEX "IDX_sso_mappings_role" ON "sso_mappings" ("role_id") ');
    await queryRunner.query('DROP INDEX "IDX_sessions_user"');
    await queryRunner.query('DROP INDEX "UQ_sessions_secret_hash"');
    await queryRunner.query('ALTER TABLE "sessions" RENAME TO "temporary_sessions"');
    await queryRunner.query(
      'CREATE TABLE "sessions" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36) NOT NULL, "secret_hash" varchar(64) NOT NULL, "source" varchar(16) NOT NULL, "mfa" boolean NOT NULL DEFAULT (0), "mfa_verified_until" datetime(3), "source_ip" varchar(45), "created_at" datetime(3) NOT NULL, "expires_at" datetime(3) NOT NULL, "last_seen_at" datetime(3), "revoked_at" datetime(3))',
    );
    await queryRunner.query(
      'INSERT INTO "sessions"("id", "user_id", "secret_hash", "source", "mfa", "mfa_verified_until", "source_ip", "created_at", "expires_at", "last_seen_at", "revoked_at") SELECT "id", "user_id", "secret_hash", "source", "mfa", "mfa_verified_until", "source_ip", "created_at", "expires_at", "last_seen_at", "revoked_at" FROM "temporary_sessions"',
    );
    await queryRunner.query('DROP TABLE "temporary_sessions"');
    await queryRunner.query('CREATE INDEX "IDX_sessions_user" ON "sessions" ("user_id") ');
    await queryRunner.query('CREATE UNIQUE INDEX "UQ_sessions_secret_hash" ON "sessions" ("secret_hash") ');
    await queryRunner.query('DROP INDEX "IDX_role_links_target"');
    await queryRunner.query('ALTER TABLE "role_links" RENAME TO "temporary_role_links"');
    await queryRunner.query(
      'CREATE TABLE "role_links" ("role_id" varchar(36) NOT NULL, "kind" varchar(16) NOT NULL, "target_role_id" varchar(36) NOT NULL, "position" integer NOT NULL, PRIMARY KEY ("role_id", "kind", "target_role_id"))',
    );
    await queryRunner.query(
      'INSERT INTO "role_links"("role_id", "kind", "target_role_id", "position") SELECT "role_id", "kind", "target_role_id", "position" FROM "temporary_role_links"',
    );
    await queryRunner.query('DROP TABLE "temporary_role_links"');
    await queryRunner.query('CREATE INDEX "IDX_role_links_target" ON "role_links" ("target_role_id") ');
    await queryRunner.query('DROP INDEX "IDX_role_policies_policy"');
    await queryRunner.query('ALTER TABLE "role_policies" RENAME TO "temporary_role_policies"');
    await queryRunner.query(
      'CREATE TABLE "role_policies" ("role_id" varchar(36) NOT NULL, "policy_id" varchar(36) NOT NULL, "position" integer NOT NULL, PRIMARY KEY ("role_id", "policy_id"))',
    );
    await queryRunner.query(
      'INSERT INTO "role_policies"("role_id", "policy_id", "position") SELECT "role_id", "policy_id", "position" FROM "temporary_role_policies"',
    );
    await queryRunner.query('DROP TABLE "temporary_role_policies"');
    await queryRunner.query('CREATE INDEX "IDX_role_policies_policy" ON "role_policies" ("policy_id") ');
    await queryRunner.query('ALTER TABLE "resource_capabilities" RENAME TO "temporary_resource_capabilities"');
    await queryRunner.query(
      'CREATE TABLE "resource_capabilities" ("type_name" varchar(64) NOT NULL, "capability" varchar(64) NOT NULL, "level" varchar(16) NOT NULL, "created_at" datetime(3) NOT NULL, PRIMARY KEY ("type_name", "capability"))',
    );
    await queryRunner.query(
      'INSERT INTO "resource_capabilities"("type_name", "capability", "level", "created_at") SELECT "type_name", "capability", "level", "created_at" FROM "temporary_resource_capabilities"',
    );
    await queryRunner.query('DROP TABLE "temporary_resource_capabilities"');
    await queryRunner.query('DROP INDEX "UQ_policy_versions_policy_version"');
    await queryRunner.query('ALTER TABLE "policy_versions" RENAME TO "temporary_policy_versions"');
    await queryRunner.query(
      'CREATE TABLE "policy_versions" ("id" varchar(36) PRIMARY KEY NOT NULL, "policy_id" varchar(36) NOT NULL, "version" integer NOT NULL, "document" text NOT NULL, "created_by_id" varchar(36), "created_at" datetime(3) NOT NULL)',
    );
    await queryRunner.query(
      'INSERT INTO "policy_versions"("id", "policy_id", "version", "document", "created_by_id", "created_at") SELECT "id", "policy_id", "version", "document", "created_by_id", "created_at" FROM "temporary_policy_versions"',
    );
    await queryRunner.query('DROP TABLE "temporary_policy_versions"');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_policy_versions_policy_version" ON "policy_versions" ("policy_id", "version") ',
    );
    await queryRunner.query('DROP INDEX "IDX_grants_user"');
    await queryRunner.query('DROP INDEX "IDX_grants_group"');
    await queryRunner.query('DROP INDEX "IDX_grants_role"');
    await queryRunner.query('ALTER TABLE "grants" RENAME TO "temporary_grants"');
    await queryRunner.query(
      'CREATE TABLE "grants" ("id" varchar(36) PRIMARY KEY NOT NULL, "subject_type" varchar(8) NOT NULL, "user_id" varchar(36), "group_name" varchar(255), "role_id" varchar(36) NOT NULL, "scope" varchar(255) NOT NULL DEFAULT (\'\'), "active" boolean NOT NULL DEFAULT (1), "starts_at" datetime(3), "expires_at" datetime(3), "reason" text, "source" varchar(16) NOT NULL, "sso_provider" varchar(64), "access_request_id" varchar(36), "created_by_id" varchar(36), "created_at" datetime(3) NOT NULL)',
    );
    await queryRunner.query(
      'INSERT INTO "grants"("id", "subject_type", "user_id", "group_name", "role_id", "scope", "active", "starts_at", "expires_at", "reason", "source", "sso_provider", "access_request_id", "created_by_id", "created_at") SELECT "id", "subject_type", "user_id", "group_name", "role_id", "scope", "active", "starts_at", "expires_at", "reason", "source", "sso_provider", "access_request_id", "created_by_id", "created_at" FROM "temporary_grants"',
    );
    await queryRunner.query('DROP TABLE "temporary_grants"');
    await queryRunner.query('CREATE INDEX "IDX_grants_user" ON "grants" ("user_id") ');
    await queryRunner.query('CREATE INDEX "IDX_grants_group" ON "grants" ("group_name") ');
    await queryRunner.query('CREATE INDEX "IDX_grants_role" ON "grants" ("role_id") ');
    await queryRunner.query('DROP INDEX "IDX_audit_event_roles_role_seq"');
    await queryRunner.query('ALTER TABLE "audit_event_roles" RENAME TO "temporary_audit_event_roles"');
    await queryRunner.query(
      'CREATE TABLE "audit_event_roles" ("sequence" bigint NOT NULL, "role" varchar(64) NOT NULL, PRIMARY KEY ("sequence", "role"))',
    );
    await queryRunner.query(
      'INSERT INTO "audit_event_roles"("sequence", "role") SELECT "sequence", "role" FROM "temporary_audit_event_roles"',
    );
    await queryRunner.query('DROP TABLE "temporary_audit_event_roles"');
    await queryRunner.query(
      'CREATE INDEX "IDX_audit_event_roles_role_seq" ON "audit_event_roles" ("role", "sequence") ',
    );
    await queryRunner.query('DROP INDEX "UQ_access_reviews_request_reviewer"');
    await queryRunner.query('ALTER TABLE "access_reviews" RENAME TO "temporary_access_reviews"');
    await queryRunner.query(
      'CREATE TABLE "access_reviews" ("id" varchar(36) PRIMARY KEY NOT NULL, "request_id" varchar(36) NOT NULL, "reviewer_id" varchar(36) NOT NULL, "approve" boolean NOT NULL, "comment" text, "created_at" datetime(3) NOT NULL)',
    );
    await queryRunner.query(
      'INSERT INTO "access_reviews"("id", "request_id", "reviewer_id", "approve", "comment", "created_at") SELECT "id", "request_id", "reviewer_id", "approve", "comment", "created_at" FROM "temporary_access_reviews"',
    );
    await queryRunner.query('DROP TABLE "temporary_access_reviews"');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_access_reviews_request_reviewer" ON "access_reviews" ("request_id", "reviewer_id") ',
    );
    await queryRunner.query('ALTER TABLE "access_request_roles" RENAME TO "temporary_access_request_roles"');
    await queryRunner.query(
      'CREATE TABLE "access_request_roles" ("request_id" varchar(36) NOT NULL, "role_id" varchar(36) NOT NULL, "position" integer NOT NULL, PRIMARY KEY ("request_id", "role_id"))',
    );
    await queryRunner.query(
      'INSERT INTO "access_request_roles"("request_id", "role_id", "position") SELECT "request_id", "role_id", "position" FROM "temporary_access_request_roles"',
    );
    await queryRunner.query('DROP TABLE "temporary_access_request_roles"');
    await queryRunner.query('DROP INDEX "IDX_access_requests_requester"');
    await queryRunner.query('DROP INDEX "IDX_access_requests_status"');
    await queryRunner.query('ALTER TABLE "access_requests" RENAME TO "temporary_access_requests"');
    await queryRunner.query(
      'CREATE TABLE "access_requests" ("id" varchar(36) PRIMARY KEY NOT NULL, "requester_id" varchar(36) NOT NULL, "reason" text NOT NULL, "scope" varchar(255) NOT NULL DEFAULT (\'\'), "status" varchar(16) NOT NULL, "ttl_seconds" integer NOT NULL, "created_at" datetime(3) NOT NULL, "expires_at" datetime(3), "decided_at" datetime(3))',
    );
    await queryRunner.query(
      'INSERT INTO "access_requests"("id", "requester_id", "reason", "scope", "status", "ttl_seconds", "created_at", "expires_at", "decided_at") SELECT "id", "requester_id", "reason", "scope", "status", "ttl_seconds", "created_at", "expires_at", "decided_at" FROM "temporary_access_requests"',
    );
    await queryRunner.query('DROP TABLE "temporary_access_requests"');
    await queryRunner.query(
      'CREATE INDEX "IDX_access_requests_requester" ON "access_requests" ("requester_id", "created_at") ',
    );
    await queryRunner.query('CREATE INDEX "IDX_access_requests_status" ON "access_requests" ("status", "created_at") ');
    await queryRunner.query('DROP INDEX "IDX_tokens_owner"');
    await queryRunner.query('DROP INDEX "UQ_tokens_secret_hash"');
    await queryRunner.query('DROP TABLE "tokens"');
    await queryRunner.query('DROP INDEX "IDX_sso_mappings_provider"');
    await queryRunner.query('DROP INDEX "IDX_sso_mappings_role"');
    await queryRunner.query('DROP TABLE "sso_mappings"');
    await queryRunner.query('DROP INDEX "IDX_sessions_user"');
    await queryRunner.query('DROP INDEX "UQ_sessions_secret_hash"');
    await queryRunner.query('DROP TABLE "sessions"');
    await queryRunner.query('DROP INDEX "IDX_role_links_target"');
    await queryRunner.query('DROP TABLE "role_links"');
    await queryRunner.query('DROP INDEX "IDX_role_policies_policy"');
    await queryRunner.query('DROP TABLE "role_policies"');
    await queryRunner.query('DROP TABLE "resource_capabilities"');
    await queryRunner.query('DROP TABLE "resource_types"');
    await queryRunner.query('DROP TABLE "policy_state"');
    await queryRunner.query('DROP INDEX "UQ_policy_versions_policy_version"');
    await queryRunner.query('DROP TABLE "policy_versions"');
    await queryRunner.query('DROP INDEX "UQ_policies_name_key"');
    await queryRunner.query('DROP TABLE "policies"');
    await queryRunner.query('DROP INDEX "IDX_grants_user"');
    await queryRunner.query('DROP INDEX "IDX_grants_group"');
    await queryRunner.query('DROP INDEX "IDX_grants_role"');
    await queryRunner.query('DROP TABLE "grants"');
    await queryRunner.query('DROP TABLE "audit_head"');
    await queryRunner.query('DROP INDEX "IDX_audit_event_roles_role_seq"');
    await queryRunner.query('DROP TABLE "audit_event_roles"');
    await queryRunner.query('DROP INDEX "IDX_audit_time_seq"');
    await queryRunner.query('DROP INDEX "IDX_audit_actor_seq"');
    await queryRunner.query('DROP INDEX "IDX_audit_actor_email_seq"');
    await queryRunner.query('DROP INDEX "IDX_audit_decision_seq"');
    await queryRunner.query('DROP INDEX "IDX_audit_operation_seq"');
    await queryRunner.query('DROP INDEX "IDX_audit_resource_type_seq"');
    await queryRunner.query('DROP INDEX "IDX_audit_resource_name_seq"');
    await queryRunner.query('DROP INDEX "UQ_audit_events_id"');
    await queryRunner.query('DROP TABLE "audit_events"');
    await queryRunner.query('DROP INDEX "UQ_access_reviews_request_reviewer"');
    await queryRunner.query('DROP TABLE "access_reviews"');
    await queryRunner.query('DROP TABLE "access_request_roles"');
    await queryRunner.query('DROP INDEX "IDX_access_requests_requester"');
    await queryRunner.query('DROP INDEX "IDX_access_requests_status"');
    await queryRunner.query('DROP TABLE "access_requests"');
    await queryRunner.query('DROP INDEX "IDX_users_external_id"');
    await queryRunner.query('DROP INDEX "UQ_users_email"');
    await queryRunner.query('DROP TABLE "users"');
    await queryRunner.query('DROP INDEX "UQ_roles_name_key"');
    await queryRunner.query('DROP TABLE "roles"');
  }
}
