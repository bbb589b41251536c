ALTER TABLE `deliveries` ADD `claimed_by` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `claimed_at` integer;--> statement-breakpoint
CREATE INDEX `deliveries_claimed_idx` ON `deliveries` (`status`,`claimed_at`);--> statement-breakpoint
UPDATE `deliveries` SET `claimed_by` = 'unknown', `claimed_at` = coalesce(`started_at`, 0) WHERE `status` = 'in_flight';
