CREATE INDEX `deliveries_event_idx` ON `deliveries` (`event_sequence`);--> statement-breakpoint
CREATE INDEX `deliveries_endpoint_due_idx` ON `deliveries` (`endpoint_id`,`status`,`scheduled_at`);--> statement-breakpoint
CREATE INDEX `deliveries_open_idx` ON `deliveries` (`endpoint_id`,`ordering_key`,`event_sequence`) WHERE status in ('pending', 'in_flight');--> statement-breakpoint
ALTER TABLE `webhook_endpoints` DROP COLUMN `secret_envelope`;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` DROP COLUMN `previous_secret_envelope`;