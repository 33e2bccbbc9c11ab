// The scenarios, one line each: the bench's usage and `neighborbid bench --help`
// both print it (this file imports nothing, so the CLI's help stays quick).
export const SCENARIOS = `scenarios:
  hot        one auction, many bidders over HTTP: the daemon beside two raw-SQL baselines
  spread     the same with bids spread over 1,000 auctions
  baseline   the bid transaction straight at PostgreSQL (both ways), hot and spread
  race       simultaneous whole-balance bids: nobody may spend more than they have
  load       1,000 users watching 20 auctions each over one WebSocket while autocannon bids`;
