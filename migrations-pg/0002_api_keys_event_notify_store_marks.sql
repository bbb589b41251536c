CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text,
	"scope" text NOT NULL,
	"key_hash" text NOT NULL,
	"key_prefix" text NOT NULL,
	"created_at" bigint NOT NULL,
	"revoked_at" bigint
);
--> statement-breakpoint
CREATE TABLE "store_marks" (
	"name" text PRIMARY KEY NOT NULL,
	"detail" text NOT NULL,
	"marked_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_idx" ON "api_keys" USING btree ("key_hash");
--> statement-breakpoint
-- Every statement that appends events notifies mailmon_events: delivered at its transaction's commit, never for a rollback.
CREATE FUNCTION "mailmon_events_appended"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('mailmon_events', '');
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "events_appended" AFTER INSERT ON "events" FOR EACH STATEMENT EXECUTE FUNCTION "mailmon_events_appended"();
