CREATE TABLE `consumer_threads` (
	`consumer` text NOT NULL,
	`ordering_key` text NOT NULL,
	`last_sequence` integer NOT NULL,
	PRIMARY KEY(`consumer`, `ordering_key`),
	FOREIGN KEY (`consumer`) REFERENCES `consumers`(`name`) ON UPDATE no action ON DELETE cascade
);
