import { MigrationInterface, QueryRunner } from "typeorm";

export class Init1795511088864 implements MigrationInterface {
  name = "Init1795511088864";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "CREATE TABLE `roles` (`id` varchar(36) NOT NULL, `name` varchar(64) NOT NULL, `name_key` varchar(64) NOT NULL, `description` text NULL, `built_in` tinyint NOT NULL DEFAULT 0, `superuser` tinyint NOT NULL DEFAULT 0, `max_session_ttl_seconds` int NULL, `require_session_mfa` tinyint NOT NULL DEFAULT 0, `approvals_required` int NOT NULL DEFAULT '1', `denials_required` int NOT NULL DEFAULT '1', `version` int NOT NULL, `document` text NOT NULL, `created_at` datetime(3) NOT NULL, `updated_at` datetime(3) NOT NULL, UNIQUE INDEX `UQ_roles_name_key` (`name_key`), PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `users` (`id` varchar(36) NOT NULL, `email` varchar(320) NOT NULL, `display_name` varchar(255) NULL, `kind` varchar(16) NOT NULL, `status` varchar(16) NOT NULL, `source` varchar(16) NOT NULL, `external_id` varchar(255) NULL, `groups` text NOT NULL, `mfa_enrolled` tinyint NOT NULL DEFAULT 0, `locked_reason` varchar(255) NULL, `created_at` datetime(3) NOT NULL, `last_seen_at` datetime(3) NULL, UNIQUE INDEX `UQ_users_email` (`email`), INDEX `IDX_users_external_id` (`external_id`), PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `access_requests` (`id` varchar(36) NOT NULL, `requester_id` varchar(36) NOT NULL, `reason` text NOT NULL, `scope` varchar(255) NOT NULL DEFAULT '', `status` varchar(16) NOT NULL, `ttl_seconds` int NOT NULL, `created_at` datetime(3) NOT NULL, `expires_at` datetime(3) NULL, `decided_at` datetime(3) NULL, INDEX `IDX_access_requests_status` (`status`, `created_at`), INDEX `IDX_access_requests_requester` (`requester_id`, `created_at`), PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `access_request_roles` (`request_id` varchar(36) NOT NULL, `role_id` varchar(36) NOT NULL, `position` int NOT NULL, PRIMARY KEY (`request_id`, `role_id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `access_reviews` (`id` varchar(36) NOT NULL, `request_id` varchar(36) NOT NULL, `reviewer_id` varchar(36) NOT NULL, `approve` tinyint NOT NULL, `comment` text NULL, `created_at` datetime(3) NOT NULL, UNIQUE INDEX `UQ_access_reviews_request_reviewer` (`request_id`, `reviewer_id`), PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `audit_events` (`sequence` bigint NOT NULL, `id` varchar(36) NOT NULL, `time` datetime(3) NOT NULL, `actor_id` varchar(36) NULL, `actor_email` varchar(320) NULL, `actor_roles` text NOT NULL, `token_id` varchar(36) NULL, `source_ip` varchar(45) NULL, `operation` varchar(128) NOT NULL, `action` varchar(64) NULL, `resource_type` varchar(64) NULL, `resource_namespace` varchar(255) NULL, `resource_name` varchar(255) NULL, `subject_id` varchar(36) NULL, `decision` varchar(8) NOT NULL, `reason` varchar(32) NOT NULL, `request_id` varchar(64) NULL, `metadata` text NULL, `prev_hash` varchar(64) NOT NULL, `hash` varchar(64) NOT NULL, UNIQUE INDEX `UQ_audit_events_id` (`id`), INDEX `IDX_audit_resource_name_seq` (`resource_name`, `sequence`), INDEX `IDX_audit_resource_type_seq` (`resource_type`, `sequence`), INDEX `IDX_audit_operation_seq` (`operation`, `sequence`), INDEX `IDX_audit_decision_seq` (`decision`, `sequence`), INDEX `IDX_audit_actor_email_seq` (`actor_email`, `sequence`), INDEX `IDX_audit_actor_seq` (`actor_id`, `sequence`), INDEX `IDX_audit_time_seq` (`time`, `sequence`), PRIMARY KEY (`sequence`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `audit_event_roles` (`sequence` bigint NOT NULL, `role` varchar(64) NOT NULL, INDEX `IDX_audit_event_roles_role_seq` (`role`, `sequence`), PRIMARY KEY (`sequence`, `role`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `audit_head` (`id` int NOT NULL, `sequence` bigint NOT NULL, `hash` varchar(64) NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `grants` (`id` varchar(36) NOT NULL, `subject_type` varchar(8) NOT NULL, `user_id` varchar(36) NULL, `group_name` varchar(255) NULL, `role_id` varchar(36) NOT NULL, `scope` varchar(255) NOT NULL DEFAULT '', `active` tinyint NOT NULL DEFAULT 1, `starts_at` datetime(3) NULL, `expires_at` datetime(3) NULL, `reason` text NULL, `source` varchar(16) NOT NULL, `sso_provider` varchar(64) NULL, `access_request_id` varchar(36) NULL, `created_by_id` varchar(36) NULL, `created_at` datetime(3) NOT NULL, INDEX `IDX_grants_role` (`role_id`), INDEX `IDX_grants_group` (`group_name`), INDEX `IDX_grants_user` (`user_id`), PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `policies` (`id` varchar(36) NOT NULL, `name` varchar(64) NOT NULL, `name_key` varchar(64) NOT NULL, `description` text NULL, `version` int NOT NULL, `built_in` tinyint NOT NULL DEFAULT 0, `document` text NOT NULL, `created_at` datetime(3) NOT NULL, `updated_at` datetime(3) NOT NULL, UNIQUE INDEX `UQ_policies_name_key` (`name_key`), PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `policy_versions` (`id` varchar(36) NOT NULL, `policy_id` varchar(36) NOT NULL, `version` int NOT NULL, `document` text NOT NULL, `created_by_id` varchar(36) NULL, `created_at` datetime(3) NOT NULL, UNIQUE INDEX `UQ_policy_versions_policy_version` (`policy_id`, `version`), PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `policy_state` (`id` int NOT NULL, `version` bigint NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `resource_types` (`name` varchar(64) NOT NULL, `built_in` tinyint NOT NULL DEFAULT 0, `created_at` datetime(3) NOT NULL, PRIMARY KEY (`name`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `resource_capabilities` (`type_name` varchar(64) NOT NULL, `capability` varchar(64) NOT NULL, `level` varchar(16) NOT NULL, `created_at` datetime(3) NOT NULL, PRIMARY KEY (`type_name`, `capability`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `role_policies` (`role_id` varchar(36) NOT NULL, `policy_id` varchar(36) NOT NULL, `position` int NOT NULL, INDEX `IDX_role_policies_policy` (`policy_id`), PRIMARY KEY (`role_id`, `policy_id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `role_links` (`role_id` varchar(36) NOT NULL, `kind` varchar(16) NOT NULL, `target_role_id` varchar(36) NOT NULL, `position` int NOT NULL, INDEX `IDX_role_links_target` (`target_role_id`), PRIMARY KEY (`role_id`, `kind`, `target_role_id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `sessions` (`id` varchar(36) NOT NULL, `user_id` varchar(36) NOT NULL, `secret_hash` varchar(64) NOT NULL, `source` varchar(16) NOT NULL, `mfa` tinyint NOT NULL DEFAULT 0, `mfa_verified_until` datetime(3) NULL, `source_ip` varchar(45) NULL, `created_at` datetime(3) NOT NULL, `expires_at` datetime(3) NOT NULL, `last_seen_at` datetime(3) NULL, `revoked_at` datetime(3) NULL, UNIQUE INDEX `UQ_sessions_secret_hash` (`secret_hash`), INDEX `IDX_sessions_user` (`user_id`), PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `sso_mappings` (`id` varchar(36) NOT NULL, `provider` varchar(64) NOT NULL, `group_pattern` varchar(255) NOT NULL, `role_id` varchar(36) NOT NULL, `scope` varchar(255) NOT NULL DEFAULT '', `position` int NOT NULL, INDEX `IDX_sso_mappings_role` (`role_id`), INDEX `IDX_sso_mappings_provider` (`provider`, `position`), PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "CREATE TABLE `tokens` (`id` varchar(36) NOT NULL, `name` varchar(128) NOT NULL, `owner_id` varchar(36) NOT NULL, `secret_hash` varchar(64) NOT NULL, `hint` varchar(16) NOT NULL, `roles` text NOT NULL, `bound_cidrs` text NOT NULL, `break_glass` tinyint NOT NULL DEFAULT 0, `ttl_seconds` int NULL, `created_by_id` varchar(36) NULL, `created_at` datetime(3) NOT NULL, `expires_at` datetime(3) NULL, `last_used_at` datetime(3) NULL, `last_used_ip` varchar(45) NULL, `revoked_at` datetime(3) NULL, UNIQUE INDEX `UQ_tokens_secret_hash` (`secret_hash`), INDEX `IDX_tokens_owner` (`owner_id`), PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    );
    await queryRunner.query(
      "ALTER TABLE `access_requests` ADD CONSTRAINT `FK_access_requests_requester` FOREIGN KEY (`requester_id`) REFERENCES `users`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `access_request_roles` ADD CONSTRAINT `FK_access_request_roles_request` FOREIGN KEY (`request_id`) REFERENCES `access_requests`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `access_request_roles` ADD CONSTRAINT `FK_access_request_roles_role` FOREIGN KEY (`role_id`) REFERENCES `roles`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `access_reviews` ADD CONSTRAINT `FK_access_reviews_request` FOREIGN KEY (`request_id`) REFERENCES `access_requests`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `access_reviews` ADD CONSTRAINT `FK_access_reviews_reviewer` FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `audit_event_roles` ADD CONSTRAINT `FK_audit_event_roles_event` FOREIGN KEY (`sequence`) REFERENCES `audit_events`(`sequence`) ON DELETE CASCADE ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `grants` ADD CONSTRAINT `FK_grants_user` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `grants` ADD CONSTRAINT `FK_grants_role` FOREIGN KEY (`role_id`) REFERENCES `roles`(`id`) ON DELETE RESTRICT ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `policy_versions` ADD CONSTRAINT `FK_policy_versions_policy` FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `resource_capabilities` ADD CONSTRAINT `FK_resource_capabilities_type` FOREIGN KEY (`type_name`) REFERENCES `resource_types`(`name`) ON DELETE CASCADE ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `role_policies` ADD CONSTRAINT `FK_role_policies_role` FOREIGN KEY (`role_id`) REFERENCES `roles`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `role_policies` ADD CONSTRAINT `FK_role_policies_policy` FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON DELETE RESTRICT ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `role_links` ADD CONSTRAINT `FK_role_links_role` FOREIGN KEY (`role_id`) REFERENCES `roles`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `role_links` ADD CONSTRAINT `FK_role_links_target` FOREIGN KEY (`target_role_id`) REFERENCES `roles`(`id`) ON DELETE RESTRICT ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `sessions` ADD CONSTRAINT `FK_sessions_user` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `sso_mappings` ADD CONSTRAINT `FK_sso_mappings_role` FOREIGN KEY (`role_id`) REFERENCES `roles`(`id`) ON DELETE RESTRICT ON UPDATE NO ACTION",
    );
    await queryRunner.query(
      "ALTER TABLE `tokens` ADD CONSTRAINT `FK_tokens_owner` FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION",
    );
    // Single rows: the audit chain starts empty (sequence 0, genesis hash), the policy state at version 0.
    await queryRunner.query(
      "INSERT INTO `audit_head` (`id`, `sequence`, `hash`) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')",
    );
    await queryRunner.query("INSERT INTO `policy_state` (`id`, `version`) VALUES (1, 0)");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE `tokens` DROP FOREIGN KEY `FK_tokens_owner`");
    await queryRunner.query("ALTER TABLE `sso_mappings` DROP FOREIGN KEY `FK_sso_mappings_role`");
    await queryRunner.query("ALTER TABLE `sessions` DROP FOREIGN KEY `FK_sessions_user`");
    await queryRunner.query("ALTER TABLE `role_links` DROP FOREIGN KEY `FK_role_links_target`");
    await queryRunner.query("ALTER TABLE `role_links` DROP FOREIGN KEY `FK_role_links_role`");
    await queryRunner.query("ALTER TABLE `role_policies` DROP FOREIGN KEY `FK_role_policies_policy`");
    await queryRunner.query("ALTER TABLE `role_policies` DROP FOREIGN KEY `FK_role_policies_role`");
    await queryRunner.query("ALTER TABLE `resource_capabilities` DROP FOREIGN KEY `FK_resource_capabilities_type`");
    await queryRunner.query("ALTER TABLE `policy_versions` DROP FOREIGN KEY `FK_policy_versions_policy`");
    await queryRunner.query("ALTER TABLE `grants` DROP FOREIGN KEY `FK_grants_role`");
    await queryRunner.query("ALTER TABLE `grants` DROP FOREIGN KEY `FK_grants_user`");
    await queryRunner.query("ALTER TABLE `audit_event_roles` DROP FOREIGN KEY `FK_audit_event_roles_event`");
    await queryRunner.query("ALTER TABLE `access_reviews` DROP FOREIGN KEY `FK_access_reviews_reviewer`");
    await queryRunner.query("ALTER TABLE `access_reviews` DROP FOREIGN KEY `FK_access_reviews_request`");
    await queryRunner.query("ALTER TABLE `access_request_roles` DROP FOREIGN KEY `FK_access_request_roles_role`");
    await queryRunner.query("ALTER TABLE `access_request_roles` DROP FOREIGN KEY `FK_access_request_roles_request`");
    await queryRunner.query("ALTER TABLE `access_requests` DROP FOREIGN KEY `FK_access_requests_requester`");
    await queryRunner.query("DROP INDEX `IDX_tokens_owner` ON `tokens`");
    await queryRunner.query("DROP INDEX `UQ_tokens_secret_hash` ON `tokens`");
    await queryRunner.query("DROP TABLE `tokens`");
    await queryRunner.query("DROP INDEX `IDX_sso_mappings_provider` ON `sso_mappings`");
    await queryRunner.query("DROP INDEX `IDX_sso_mappings_role` ON `sso_mappings`");
    await queryRunner.query("DROP TABLE `sso_mappings`");
    await queryRunner.query("DROP INDEX `IDX_sessions_user` ON `sessions`");
    await queryRunner.query("DROP INDEX `UQ_sessions_secret_hash` ON `sessions`");
    await queryRunner.query("DROP TABLE `sessions`");
    await queryRunner.query("DROP INDEX `IDX_role_links_target` ON `role_links`");
    await queryRunner.query("DROP TABLE `role_links`");
    await queryRunner.query("DROP INDEX `IDX_role_policies_policy` ON `role_policies`");
    await queryRunner.query("DROP TABLE `role_policies`");
    await queryRunner.query("DROP TABLE `resource_capabilities`");
    await queryRunner.query("DROP TABLE `resource_types`");
    await queryRunner.query("DROP TABLE `policy_state`");
    await queryRunner.query("DROP INDEX `UQ_policy_versions_policy_version` ON `policy_versions`");
    await queryRunner.query("DROP TABLE `policy_versions`");
    await queryRunner.query("DROP INDEX `UQ_policies_name_key` ON `policies`");
    await queryRunner.query("DROP TABLE `policies`");
    await queryRunner.query("DROP INDEX `IDX_grants_user` ON `grants`");
    await queryRunner.query("DROP INDEX `IDX_grants_group` ON `grants`");
    await queryRunner.query("DROP INDEX `IDX_grants_role` ON `grants`");
    await queryRunner.query("DROP TABLE `grants`");
    await queryRunner.query("DROP TABLE `audit_head`");
    await queryRunner.query("DROP INDEX `IDX_audit_event_roles_role_seq` ON `audit_event_roles`");
    await queryRunner.query("DROP TABLE `audit_event_roles`");
    await queryRunner.query("DROP INDEX `IDX_audit_time_seq` ON `audit_events`");
    await queryRunner.query("DROP INDEX `IDX_audit_actor_seq` ON `audit_events`");
    await queryRunner.query("DROP INDEX `IDX_audit_actor_email_seq` ON `audit_events`");
    await queryRunner.query("DROP INDEX `IDX_audit_decision_seq` ON `audit_events`");
    await queryRunner.query("DROP INDEX `IDX_audit_operation_seq` ON `audit_events`");
    await queryRunner.query("DROP INDEX `IDX_audit_resource_type_seq` ON `audit_events`");
    await queryRunner.query("DROP INDEX `IDX_audit_resource_name_seq` ON `audit_events`");
    await queryRunner.query("DROP INDEX `UQ_audit_events_id` ON `audit_events`");
    await queryRunner.query("DROP TABLE `audit_events`");
    await queryRunner.query("DROP INDEX `UQ_access_reviews_request_reviewer` ON `access_reviews`");
    await queryRunner.query("DROP TABLE `access_reviews`");
    await queryRunner.query("DROP TABLE `access_request_roles`");
    await queryRunner.query("DROP INDEX `IDX_access_requests_requester` ON `access_requests`");
    await queryRunner.query("DROP INDEX `IDX_access_requests_status` ON `access_requests`");
    await queryRunner.query("DROP TABLE `access_requests`");
    await queryRunner.query("DROP INDEX `IDX_users_external_id` ON `users`");
    await queryRunner.query("DROP INDEX `UQ_users_email` ON `users`");
    await queryRunner.query("DROP TABLE `users`");
    await queryRunner.query("DROP INDEX `UQ_roles_name_key` ON `roles`");
    await queryRunner.query("DROP TABLE `roles`");
  }
}
