/** Prefixed, time-sortable ids (TypeID: `evt_01h…`), from the typeid-js library. */
import { typeid } from 'typeid-js';

export type IdPrefix = 'evt' | 'mbx' | 'msg' | 'thr' | 'whe' | 'dlv' | 'run' | 'key' | 'rpl';

export function newId(prefix: IdPrefix): string {
  return typeid(prefix).toString();
}

export type IdGenerator = (prefix: IdPrefix) => string;
