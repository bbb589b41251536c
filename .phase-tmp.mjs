const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const { CliContext } = await import('./dist/src/cli/context.js');
const ctx = new CliContext(process.env, 'read');
const store = await ctx.store();
const names = ['sqlite-api-keys:sqliteApiKeys','sqlite-endpoints:sqliteEndpoints','consumers:sqliteConsumers','sqlite-change-notifier:sqliteChangeNotifier','sqlite-event-log:sqliteEventLog','sqlite-mailboxes:sqliteMailboxes','sync-runs:sqliteSyncRuns','push-watches:sqlitePushWatches','sqlite-messages:sqliteMessages','sqlite-retention:sqliteRetention','sqlite-store-health:sqliteStoreHealth'];
const out = [];
for (const n of names) { const [f, fn] = n.split(':'); let t = cpu(); const m = await import(`./dist/src/adapters/sqlite/${f}.js`); const a = cpu() - t; t = cpu(); m[fn](f === 'sqlite-store-health' ? store : store.sqlite); out.push(`${f} imp ${a.toFixed(1)} make ${(cpu() - t).toFixed(1)}`); }
console.log(out.join('\n'));
