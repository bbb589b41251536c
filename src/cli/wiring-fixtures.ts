/** Composition root of the fixture server: the in-process server of src/fixtures behind the FixtureServers port. */
import type { FixtureServers } from '../app/ports/fixture-servers.js';
import { startFixtureServer } from '../fixtures/server.js';

export const fixtureServers: FixtureServers = {
  start: (options) => startFixtureServer(options),
};
