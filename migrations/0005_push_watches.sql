CREATE TABLE `push_watches` (
	`mailbox_id` text PRIMARY KEY NOT NULL,
	`topic` text NOT NULL,
	`state` text NOT NULL,
	`expiration` integer,
	`watched_at` integer,
	`error` text,
	`last_notified_history_id` text,
	`last_notified_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`mailbox_id`) REFERENCES `mailboxes`(`id`) ON UPDATE no action ON DELETE cascade
);
