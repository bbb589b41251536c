DROP INDEX "messages_internal_date_idx";--> statement-breakpoint
CREATE INDEX "messages_list_idx" ON "messages" USING btree (coalesce("internal_date", -1),"id" collate "C");--> statement-breakpoint
CREATE INDEX "messages_mailbox_list_idx" ON "messages" USING btree ("mailbox_id",coalesce("internal_date", -1),"id" collate "C");--> statement-breakpoint
CREATE INDEX "threads_list_idx" ON "threads" USING btree (coalesce("last_message_at", -1),"id" collate "C");--> statement-breakpoint
CREATE INDEX "threads_mailbox_list_idx" ON "threads" USING btree ("mailbox_id",coalesce("last_message_at", -1),"id" collate "C");