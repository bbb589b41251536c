// Starts a fixture (kept running) and a home with 5 synced mailboxes; prints {url, home, fixturePid}.
import { startFixture } from './bench/lib/fixture.mjs';
import { runCli, tempHome } from './bench/lib/proc.mjs';
const emails = ['a@mailmon.test', 'b@mailmon.test', 'c@mailmon.test', 'd@mailmon.test', 'e@mailmon.test'];
const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '1000000' };
const fixture = await startFixture({ messages: 200, seed: 14, quota: false, emails });
const home = tempHome('mailmon-perfstart-');
for (const hint of emails) await runCli(['login', '--fixture', fixture.url, '--json', '--login-hint', hint], { home, env });
await runCli(['sync', '--json'], { home, env, timeoutMs: 300_000 });
console.log(JSON.stringify({ url: fixture.url, home, fixturePid: fixture.pid }));
process.stdout.write('', () => process.exit(0));
