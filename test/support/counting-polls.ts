/** A test's view of a change notifier's polling: every `pragma data_version` read, timed. */
import type Database from 'better-sqlite3';

/** The connection, with every `pragma data_version` read timed. */
export function countingPolls(sqlite: Database.Database): { sqlite: Database.Database; polls: number[] } {
  const polls: number[] = [];
  const prepare = sqlite.prepare.bind(sqlite);
  const counted = new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver) as unknown;
      return (source: string) => {
        const statement = prepare(source);
        if (!source.includes('data_version')) return statement;
        const get = statement.get.bind(statement);
        return Object.assign(statement, { get: (...args: unknown[]) => (polls.push(performance.now()), get(...args)) });
      };
    },
  });
  return { sqlite: counted, polls };
}
