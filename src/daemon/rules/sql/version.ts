// The version of the rule functions in this folder. Give every change to their
// text a new, higher version: a daemon installs its rules at start, refuses to
// start against a database holding newer ones, and every rule call carries the
// caller's version, so that two daemons of different versions on one database
// never run each other's rules (src/daemon/rules/install.ts).
// 2: maximum bids, increment tables, reserve, buy-now-until (issue 15).
// 3: nb_one_answer, the result of buy now and cancel written once (no change of behaviour).
// 4: a soft close moves the end by a second or more, or not at all; the
//    bidders of an auction ending below its reserve hear of it in their inbox.
// 5: nb_place_bids returns the inbox rows it wrote, when asked (issue 17; replaced by 8).
// 6: cheaper bids, same behaviour (issue 17): nb_place_bids and nb_place_bids_multi
//    are nb_place_bids_group's one- and several-auction forms, which writes the
//    auction, user, bid and ledger rows of all its parts once; a bid's balances
//    built without a query; nb_step_at inlinable.
// 7: a part's outbox rows written by one helper, nb_write_events (no change of behaviour).
// 8: nb_place_bids returns whose inbox it wrote to (inboxSeqs), not the rows: the daemon
//    reads them after commit, outside the auction's lock (issue 17).
// 9: a group writes the outbox rows of all its parts in one INSERT (nb_write_events takes
//    their auctions; the inbox trigger numbers rows in the order of the parts), and
//    says whose inbox it wrote to on its last part (issue 17).
// 10: nb_place_bids takes no p_inbox and says nothing of the inbox: the daemon's
//     feeds read what it wrote after commit, as they read every other rule's (issue 17).
export const RULES_VERSION = 10;

/**
 * The first statement of every PL/pgSQL rule a daemon calls: a caller of
 * another rules version is refused (SQLSTATE NB001) before anything is read.
 */
export const checkCaller = /* sql */ `
  IF p_rules IS DISTINCT FROM ${RULES_VERSION} THEN
    PERFORM nb_rules_refuse(p_rules);
  END IF;`;
