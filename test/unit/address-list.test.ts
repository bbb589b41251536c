/**
 * parseAddressList's fast path for the common header shapes gives exactly what postal-mime's
 * parser gives, on hand-picked shapes and on random strings built from the characters that
 * matter to address syntax.
 */
import { addressParser } from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { parseAddressList } from '../../src/core/message-state.js';
import type { EmailAddress } from '../../src/core/events.js';

/** The full parser alone, flattened as parseAddressList flattens it. */
function reference(value: string): EmailAddress[] {
  const flat: EmailAddress[] = [];
  const visit = (entries: ReturnType<typeof addressParser>) => {
    for (const entry of entries) {
      if ('group' in entry && Array.isArray(entry.group)) visit(entry.group as ReturnType<typeof addressParser>);
      else if ('address' in entry && entry.address) flat.push({ name: entry.name ? entry.name : null, address: entry.address });
    }
  };
  try {
    visit(addressParser(value));
  } catch {
    return [];
  }
  return flat;
}

const SHAPES = [
  'Ada Lovelace <ada@example.com>', '"Ada Lovelace" <ada@example.com>', 'ada@example.com', ' ada@example.com ', 'Ada  Lovelace <ada@example.com>',
  '<ada@example.com>', '"Lovelace, Ada" <ada@example.com>', 'Ada <ada@example.com>, Bob <bob@example.com>', '"" <a@b.c>', "O'Brien <o@b.c>",
  'Jean-Luc <j@b.c>', '"a\\"b" <a@b.c>', 'A.B. Smith <a@b.c>', '=?utf-8?q?Ada?= <a@b.c>', '"=?utf-8?q?Ada?=" <a@b.c>', 'a@b.c, c@d.e',
  'Ada Lovelace<ada@example.com>', 'ADA@EXAMPLE.COM', '"Ada Lovelace " <a@b.c>', '" Ada" <a@b.c>', 'Zoë <z@b.c>', '"Zoë Ü" <z@b.c>', 'a@b.c,', ',a@b.c',
  'Undisclosed recipients:;', 'team: a@b.c, c@d.e;', 'a (comment) <a@b.c>', 'a@b', '"x" <a@b.c>, "y" <c@d.e>', 'a@b.c <d@e.f>', 'Name <a@b.c> trailing',
  'Ada\tLovelace <a@b.c>', '_x_ <a@b.c>', 'a <a@@b.c>', 'a <@b.c>', 'x@y@z', 'a b', '<>',
];

describe('parseAddressList', () => {
  it.each(SHAPES)('%j gives what the full parser gives', (value) => {
    expect(parseAddressList(value)).toEqual(reference(value));
  });

  it('agrees with the full parser on random strings of address-syntax characters', () => {
    const alphabet = ['a', 'B', 'z', 'é', '1', ' ', ' ', '  ', '.', '@', '@', '<', '>', '"', '\\', ',', ',', ';', ':', '(', ')', '=', '?', "'", '-', '_', '\t', 'x@y.z', 'Ada ', '<a@b.c>'];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 20_000; i++) {
      const length = 1 + Math.floor(random() * 12);
      const value = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect(parseAddressList(value), JSON.stringify(value)).toEqual(reference(value));
    }
  });
});
