/**
 * Prefixed, time-sortable ids in the TypeID format (`evt_01h…`: a UUIDv7 in Crockford base32).
 *
 * Guarantees: every id is a valid TypeID whose UUID is a version-7, RFC 9562 variant UUID with
 * the wall clock's milliseconds; ids made by this process sort (as strings) in the order they
 * were made, also within one millisecond and if the clock steps back (a 31-bit counter seeded at
 * random each millisecond, as the uuid library's v7 does); the other 42 bits are random.
 * Random bytes come from a pool filled by the OS CSPRNG, 4 KB at a time: forwarding makes an id
 * per request, and a 16-byte read from the OS per id was most of the cost.
 */
import { randomFillSync } from 'node:crypto';

export type IdPrefix = 'evt' | 'mbx' | 'msg' | 'thr' | 'whe' | 'dlv' | 'run' | 'key' | 'rpl';

export type IdGenerator = (prefix: IdPrefix) => string;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const POOL_BYTES = 4096;
const MAX_SEQUENCE = 0x7fffffff;

const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;
let lastMs = -Infinity;
let sequence = 0;

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${encodeBase32(uuidV7(Date.now()))}`;
}

function randomBytes(count: number): Buffer {
  if (poolOffset + count > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + count);
  poolOffset += count;
  return bytes;
}

/** The 16 bytes of a UUIDv7 for `now`, after every one made before it. */
export function uuidV7(now: number): Uint8Array {
  const random = randomBytes(16);
  if (now > lastMs) {
    lastMs = now;
    sequence = random.readUInt32BE(6) & MAX_SEQUENCE;
  } else if (sequence < MAX_SEQUENCE) {
    sequence += 1;
  } else {
    // A full millisecond (2^31 ids, or a clock far behind): borrow the next one.
    lastMs += 1;
    sequence = 0;
  }
  const bytes = new Uint8Array(16);
  const ms = lastMs;
  const high = Math.floor(ms / 0x100000000);
  bytes[0] = (high >>> 8) & 0xff;
  bytes[1] = high & 0xff;
  bytes[2] = (ms >>> 24) & 0xff;
  bytes[3] = (ms >>> 16) & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  // Version 7, then the 31-bit sequence across rand_a and the top of rand_b, under the variant bits.
  bytes[6] = 0x70 | ((sequence >>> 27) & 0x0f);
  bytes[7] = (sequence >>> 19) & 0xff;
  bytes[8] = 0x80 | ((sequence >>> 13) & 0x3f);
  bytes[9] = (sequence >>> 5) & 0xff;
  bytes[10] = ((sequence << 3) & 0xf8) | (random[10] & 0x07);
  for (let i = 11; i < 16; i++) bytes[i] = random[i];
  return bytes;
}

/** TypeID's suffix: 128 bits as 26 base32 characters, most significant first (2 padding bits on top). */
export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  // 130 bits = 26 groups of 5; the value is the 128 bits shifted right by nothing, so the first group holds 3 bits.
  let buffer = 0;
  let bits = 2; // the two leading zero bits of padding
  for (let i = 0; i < 16; i++) {
    buffer = ((buffer << 8) | bytes[i]) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 31];
    }
  }
  return out;
}
