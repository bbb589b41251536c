CREATE INDEX `deliveries_event_idx` ON `deliveries` (`event_sequence`);--> statement-breakpoint
ALTER TABLE `webhook_endpoints` DROP COLUMN `secret_envelope`;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` DROP COLUMN `previous_secret_envelope`;