CREATE TABLE `consumers` (
	`name` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`target` text,
	`last_sequence` integer DEFAULT 0 NOT NULL,
	`pid` integer,
	`heartbeat_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `credentials` (
	`mailbox_id` text PRIMARY KEY NOT NULL,
	`store` text NOT NULL,
	`envelope_version` integer,
	`key_id` text,
	`nonce` text,
	`tag` text,
	`ciphertext` text,
	`client_id` text,
	`scope` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`mailbox_id`) REFERENCES `mailboxes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`endpoint_id` text NOT NULL,
	`event_sequence` integer NOT NULL,
	`event_id` text NOT NULL,
	`ordering_key` text NOT NULL,
	`attempt` integer NOT NULL,
	`kind` text DEFAULT 'normal' NOT NULL,
	`status` text NOT NULL,
	`scheduled_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`response_status` integer,
	`latency_ms` integer,
	`response_headers` text,
	`response_body` text,
	`error_class` text,
	`error_message` text,
	FOREIGN KEY (`endpoint_id`) REFERENCES `webhook_endpoints`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `deliveries_due_idx` ON `deliveries` (`status`,`scheduled_at`);--> statement-breakpoint
CREATE INDEX `deliveries_endpoint_idx` ON `deliveries` (`endpoint_id`,`event_sequence`);--> statement-breakpoint
CREATE INDEX `deliveries_ordering_idx` ON `deliveries` (`endpoint_id`,`ordering_key`,`event_sequence`);--> statement-breakpoint
CREATE TABLE `endpoint_health_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`endpoint_id` text NOT NULL,
	`from_health` text NOT NULL,
	`to_health` text NOT NULL,
	`reason` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`endpoint_id`) REFERENCES `webhook_endpoints`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `events` (
	`sequence` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`mailbox_id` text NOT NULL,
	`ordering_key` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_id_unique` ON `events` (`id`);--> statement-breakpoint
CREATE INDEX `events_occurred_at_idx` ON `events` (`occurred_at`);--> statement-breakpoint
CREATE INDEX `events_mailbox_idx` ON `events` (`mailbox_id`,`sequence`);--> statement-breakpoint
CREATE TABLE `labels` (
	`mailbox_id` text NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`mailbox_id`, `id`),
	FOREIGN KEY (`mailbox_id`) REFERENCES `mailboxes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `mailboxes` (
	`id` text PRIMARY KEY NOT NULL,
	`email_address` text NOT NULL,
	`name` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`status_reason` text,
	`history_id` text,
	`full_sync_checkpoint` text,
	`lease_epoch` integer DEFAULT 0 NOT NULL,
	`gmail_api_url` text,
	`oauth_url` text,
	`scope` text,
	`last_sync_at` integer,
	`last_success_at` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mailboxes_email_address_unique` ON `mailboxes` (`email_address`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`mailbox_id` text NOT NULL,
	`provider_message_id` text NOT NULL,
	`thread_id` text NOT NULL,
	`provider_thread_id` text NOT NULL,
	`label_ids` text NOT NULL,
	`subject` text,
	`from_address` text,
	`to_addresses` text,
	`cc_addresses` text,
	`date_header` text,
	`message_id_header` text,
	`in_reply_to` text,
	`references` text,
	`snippet` text,
	`internal_date` integer,
	`size_estimate` integer,
	`history_id` text,
	`attachment_count` integer DEFAULT 0 NOT NULL,
	`attachment_names` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`mailbox_id`) REFERENCES `mailboxes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_mailbox_provider_unique` ON `messages` (`mailbox_id`,`provider_message_id`);--> statement-breakpoint
CREATE INDEX `messages_thread_idx` ON `messages` (`mailbox_id`,`provider_thread_id`);--> statement-breakpoint
CREATE INDEX `messages_internal_date_idx` ON `messages` (`mailbox_id`,`internal_date`);--> statement-breakpoint
CREATE TABLE `secrets` (
	`name` text PRIMARY KEY NOT NULL,
	`store` text NOT NULL,
	`envelope_version` integer,
	`key_id` text,
	`nonce` text,
	`tag` text,
	`ciphertext` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`endpoint_id` text NOT NULL,
	`event_type` text DEFAULT '*' NOT NULL,
	`mailbox_id` text,
	FOREIGN KEY (`endpoint_id`) REFERENCES `webhook_endpoints`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `subscriptions_endpoint_idx` ON `subscriptions` (`endpoint_id`);--> statement-breakpoint
CREATE TABLE `sync_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`mailbox_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`pid` integer,
	`lease_epoch` integer,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`start_history_id` text,
	`end_history_id` text,
	`messages_created` integer DEFAULT 0 NOT NULL,
	`messages_updated` integer DEFAULT 0 NOT NULL,
	`messages_deleted` integer DEFAULT 0 NOT NULL,
	`messages_fetched` integer DEFAULT 0 NOT NULL,
	`events_emitted` integer DEFAULT 0 NOT NULL,
	`quota_units` integer DEFAULT 0 NOT NULL,
	`error_class` text,
	`error_message` text,
	FOREIGN KEY (`mailbox_id`) REFERENCES `mailboxes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sync_runs_mailbox_idx` ON `sync_runs` (`mailbox_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `sync_runs_status_idx` ON `sync_runs` (`status`);--> statement-breakpoint
CREATE TABLE `threads` (
	`id` text PRIMARY KEY NOT NULL,
	`mailbox_id` text NOT NULL,
	`provider_thread_id` text NOT NULL,
	`subject` text,
	`snippet` text,
	`message_count` integer NOT NULL,
	`label_ids` text NOT NULL,
	`last_message_at` integer,
	`history_id` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`mailbox_id`) REFERENCES `mailboxes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `threads_mailbox_provider_unique` ON `threads` (`mailbox_id`,`provider_thread_id`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`description` text,
	`signature_scheme` text DEFAULT 'both' NOT NULL,
	`headers` text NOT NULL,
	`secret_envelope` text NOT NULL,
	`previous_secret_envelope` text,
	`previous_secret_expires_at` integer,
	`health` text DEFAULT 'active' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`disabled_reason` text,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`last_enqueued_sequence` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
