// Ordered migrations. Append only: a released migration is never edited.
import schema from './001-schema.js';
import rules from './002-rules.js';
import moneySupply from './003-money-supply.js';
import rulesVersion from './004-rules-version.js';
import inbox from './005-inbox.js';
import presence from './006-presence.js';
import maximumBids from './007-maximum-bids.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  { version: 1, name: 'schema', sql: schema },
  { version: 2, name: 'rules', sql: rules },
  { version: 3, name: 'money supply', sql: moneySupply },
  { version: 4, name: 'rules version', sql: rulesVersion },
  { version: 5, name: 'inbox', sql: inbox },
  { version: 6, name: 'presence', sql: presence },
  { version: 7, name: 'maximum bids', sql: maximumBids },
];
