import { Box, Text, useApp, type Key } from 'ink';
import { useMemo, useRef, useState } from 'react';
import { errorMessage } from '../../protocol/errors.js';
import { formatMoney, parseMoney } from '../../format/money.js';
import type { Auction, BidResult } from '../../protocol/types.js';
import type { BoardSource } from '../data/board-source.js';
import { useBoard, type BoardOptions } from '../hooks/use-board.js';
import { useDetail } from '../hooks/use-detail.js';
import { useKeys } from '../hooks/use-keys.js';
import { useNow } from '../hooks/use-now.js';
import { useRefState } from '../hooks/use-ref-state.js';
import { useSubscriptions } from '../hooks/use-subscriptions.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { useTheme } from '../hooks/use-theme.js';
import type { Notice } from '../state/board-store.js';
import { nextSort, reverseSort, sortLabel } from '../state/board-sort.js';
import { boardView, DEFAULT_ORDER, labels, type BoardOrder } from '../state/board-view.js';
import { describeError } from '../state/describe-error.js';
import { endedList, scrollBy } from '../state/ended-list.js';
import { computeLayout, MIN_COLUMNS, MIN_ROWS } from '../state/layout.js';
import { mineLabel, minePhrase, nextMineFilter } from '../state/mine-filter.js';
import { halfPage, moveSelection, resolveSelection, scrollOffset, type Selection } from '../state/selection.js';
import { hasControl, splitBurst } from '../state/split-keys.js';
import { editText, textState, type TextState } from '../state/text-edit.js';
import { AwayList } from './away.js';
import { BidInput } from './bid-input.js';
import { Board } from './board.js';
import { Confirm } from './confirm.js';
import { DetailPane } from './detail-pane.js';
import { EndedList, ENDED_LIST_CHROME } from './ended-list.js';
import { EndedStrip } from './ended-strip.js';
import { ErrorLine } from './error-line.js';
import { FilterInput } from './filter-input.js';
import { Header } from './header.js';
import { Help } from './help.js';
import { KeyHints } from './key-hints.js';
import { Rule } from './rule.js';

type Mode =
  | { kind: 'board' }
  | { kind: 'help' }
  | { kind: 'away' }
  /** Every auction that ended while the board ran; `top` is the first line shown. */
  | { kind: 'ended'; top: number }
  | { kind: 'filter'; field: TextState }
  /** `max`: a maximum bid (key m) rather than a plain one (key b). */
  | { kind: 'bid'; max: boolean; id: number; title: string; minimum: number; field: TextState; busy: boolean; error: string | null }
  | { kind: 'buy'; id: number; title: string; price: number; busy: boolean; error: string | null };

/** How long a message stays on the status line. */
const FLASH_MS = 8000;

export interface AppProps {
  source: BoardSource;
  options?: BoardOptions;
}

/** The whole screen: header, live board, detail pane, ended strip and status line. */
export function App({ source, options }: AppProps) {
  const { exit } = useApp();
  const theme = useTheme();
  const { columns, rows: termRows } = useTerminalSize();
  const now = useNow();
  const board = useBoard(source, options);
  const { store } = board;
  const [sel, setSel] = useState<Selection>({ id: null, index: 0 });
  const [detailOpen, setDetailOpen] = useState(false);
  // What happened while the user was away comes first, until a key is pressed.
  const [getMode, setMode] = useRefState<Mode>(source.away?.events.length ? { kind: 'away' } : { kind: 'board' });
  const [filter, setFilter] = useState('');
  const [order, setOrder] = useState<BoardOrder>(DEFAULT_ORDER);
  const offsetRef = useRef(0);
  const mode = getMode();

  // While the filter is being typed, the board narrows with every key.
  const liveFilter = mode.kind === 'filter' ? mode.field.value : filter;
  const view = useMemo(() => boardView(store, now, liveFilter, order), [store, board.revision, now, liveFilter, order]);
  const ended = useMemo(() => (mode.kind === 'ended' ? endedList(store) : []), [store, board.revision, mode.kind]);
  const layout = computeLayout(columns, termRows, detailOpen);
  /** Lines between the top rule and the bottom one: the board (and detail), help, or a list. */
  const mainHeight = termRows - 8;
  const current = resolveSelection(view.rows, sel);
  offsetRef.current = scrollOffset(view.rows.length, current.index, layout.boardRows, offsetRef.current);
  const offset = offsetRef.current;
  const visible = view.rows.slice(offset, offset + layout.boardRows);
  const selected = current.id === null ? undefined : store.auction(current.id);

  // The socket carries exactly what is on screen: the open rows in view and the detail's auction.
  const watched = visible.filter((r) => !r.ended).map((r) => r.id);
  if (detailOpen && selected?.status === 'open' && !watched.includes(selected.id)) watched.push(selected.id);
  useSubscriptions(source, watched);
  useDetail(source, board, current.id, detailOpen);

  // One message line, shared with the store's own notices (outbid, load errors): the newest, while fresh.
  const message = store.notice && Date.now() - store.notice.at < FLASH_MS ? store.notice : undefined;
  const say = (kind: Notice['kind'], text: string) => {
    store.setNotice({ kind, text, at: Date.now() });
    board.flush();
  };
  const dismiss = () => {
    store.setNotice(null);
    board.flush();
  };
  const move = (delta: number) => setSel((prev) => moveSelection(view.rows, prev, delta));

  const startBid = (max: boolean) => {
    if (!source.hasUser) return say('error', 'Bidding needs a user token: start with --token or NEIGHBORBID_TOKEN.');
    if (!selected) return;
    if (selected.status !== 'open' || selected.minNextBid === null) return say('error', 'That auction has ended.');
    const { id, title, minNextBid } = selected;
    setMode({ kind: 'bid', max, id, title, minimum: minNextBid, field: textState(formatMoney(minNextBid)), busy: false, error: null });
  };

  const startBuy = () => {
    if (!source.hasUser) return say('error', 'Buying needs a user token: start with --token or NEIGHBORBID_TOKEN.');
    if (!selected) return;
    if (selected.status !== 'open') return say('error', 'That auction has ended.');
    if (selected.buyNowPrice === null) return say('error', errorMessage('BUY_NOW_UNAVAILABLE', { reason: 'no_buy_now', buyNowPrice: null }));
    // Taken away by bidding: the sentence says what took it, as the daemon would.
    if (!selected.buyNowAvailable) {
      const reason = { price: 'price_reached', firstBid: 'first_bid', reserveMet: 'reserve_met' } as const;
      return say('error', errorMessage('BUY_NOW_UNAVAILABLE', { reason: reason[selected.buyNowUntil] }));
    }
    setMode({ kind: 'buy', id: selected.id, title: selected.title, price: selected.buyNowPrice, busy: false, error: null });
  };

  /**
   * Runs a bid or a buy: busy while out, back to the board on success with what
   * `done` makes of the answer, the reason inline on failure.
   */
  const act = async <R extends { auction: Auction }>(
    kind: 'bid' | 'buy',
    id: number,
    run: () => Promise<R>,
    done: (result: R) => [Notice['kind'], string],
  ) => {
    const mine = (m: Mode) => m.kind === kind && m.id === id;
    setMode((m) => (mine(m) ? { ...m, busy: true, error: null } : m));
    try {
      const result = await run();
      store.upsert(result.auction, Date.now());
      board.flush();
      setMode((m) => (mine(m) ? { kind: 'board' } : m));
      say(...done(result));
    } catch (err) {
      setMode((m) => (mine(m) ? { ...m, busy: false, error: describeError(err) } : m));
    }
  };

  const bidKey = (m: Extract<Mode, { kind: 'bid' }>, input: string, key: Key) => {
    if (m.busy) return;
    const r = editText(m.field, input, key);
    if (r === 'cancel') return setMode({ kind: 'board' });
    if (r !== 'submit') {
      if (r) setMode({ ...m, field: r, error: null });
      return;
    }
    const amount = parseMoney(m.field.value);
    if (amount === null || amount === 0) return setMode({ ...m, error: `Type a whole amount, like ${formatMoney(m.minimum)}.` });
    const what = m.max ? `Maximum ${formatMoney(amount)} on “${m.title}”` : `Bid ${formatMoney(amount)} on “${m.title}”`;
    void act('bid', m.id, () => (m.max ? source.bidMax(m.id, amount) : source.bid(m.id, amount)), (r: BidResult) => {
      // Only the bidder's own answer says their maximum; the board keeps it for the `+` and the detail pane.
      store.setMyMax(m.id, r.leading ? r.yourMax : null);
      // The rows it made, in case the detail's recent bids were read before them and no event brings them.
      store.setBids(m.id, r.bids);
      return r.leading
        ? ['info', `${what} placed: you are leading at ${formatMoney(r.auction.currentPrice)}.`]
        : ['outbid', `${what} placed, but a higher maximum answered: now ${formatMoney(r.auction.currentPrice)}.`];
    });
  };

  const buyKey = (m: Extract<Mode, { kind: 'buy' }>, input: string, key: Key) => {
    if (m.busy) return;
    if (input === 'y' || input === 'Y') {
      void act('buy', m.id, () => source.buy(m.id), () => ['info', `You bought “${m.title}” for ${formatMoney(m.price)}.`]);
    } else if (input === 'n' || input === 'N' || key.escape) setMode({ kind: 'board' });
  };

  const filterKey = (m: Extract<Mode, { kind: 'filter' }>, input: string, key: Key) => {
    const r = editText(m.field, input, key);
    if (r === 'cancel') {
      setFilter('');
      setMode({ kind: 'board' });
    } else if (r === 'submit') {
      setFilter(m.field.value.trim());
      setMode({ kind: 'board' });
    } else if (r) setMode({ ...m, field: r });
  };

  // The ended list scrolls like the board moves; Esc, q or e go back to the board.
  const endedKey = (m: Extract<Mode, { kind: 'ended' }>, input: string, key: Key) => {
    if (key.escape || input === 'q' || input === 'e') return setMode({ kind: 'board' });
    const room = Math.max(1, mainHeight - ENDED_LIST_CHROME);
    const by = (delta: number) => setMode({ kind: 'ended', top: scrollBy(m.top, delta, ended.length, room) });
    if (key.ctrl && input === 'd') return by(halfPage(room));
    if (key.ctrl && input === 'u') return by(-halfPage(room));
    if (key.ctrl) return;
    if (key.upArrow || input === 'k') return by(-1);
    if (key.downArrow || input === 'j') return by(1);
    if (key.pageUp) return by(-room);
    if (key.pageDown) return by(room);
    if (key.home || input === 'g') return by(-ended.length);
    if (key.end || input === 'G') return by(ended.length);
  };

  const boardKey = (input: string, key: Key) => {
    // Ctrl-D/U before the letters: Ctrl-U arrives as "u" with ctrl, which is not a buy.
    if (key.ctrl && input === 'd') return move(halfPage(layout.boardRows));
    if (key.ctrl && input === 'u') return move(-halfPage(layout.boardRows));
    if (key.ctrl) return;
    if (input === 'q') return exit();
    if (key.upArrow || input === 'k') return move(-1);
    if (key.downArrow || input === 'j') return move(1);
    if (key.pageUp) return move(-layout.boardRows);
    if (key.pageDown) return move(layout.boardRows);
    if (key.home || input === 'g') return move(-view.rows.length);
    if (key.end || input === 'G') return move(view.rows.length);
    if (key.return) return setDetailOpen((o) => !o);
    // Esc dismisses a message first, then closes the detail pane.
    if (key.escape) return message ? dismiss() : setDetailOpen(false);
    if (input === 'b') return startBid(false);
    if (input === 'm') return startBid(true);
    if (input === 'u') return startBuy();
    if (input === '/') return setMode({ kind: 'filter', field: textState(filter) });
    if (input === '?') return setMode({ kind: 'help' });
    if (input === 's') return setOrder((o) => ({ ...o, sort: nextSort(o.sort) }));
    if (input === 'S') return setOrder((o) => ({ ...o, sort: reverseSort(o.sort) }));
    if (input === 'M') return setOrder((o) => ({ ...o, mine: nextMineFilter(o.mine) }));
    if (input === 'e') return setMode({ kind: 'ended', top: 0 });
  };

  // One router for every key: the mode is read fresh for each, so a burst of keys in one read is handled in order.
  const route = (input: string, key: Key): void => {
    if (input.length > 1 && hasControl(input)) {
      for (const part of splitBurst(input)) route(part.input, { ...key, ...part.key });
      return;
    }
    const m = getMode();
    if (m.kind === 'bid') return bidKey(m, input, key);
    if (m.kind === 'filter') return filterKey(m, input, key);
    // Outside text entry, several letters in one read ("jjj" from key repeat) are several keys.
    if (input.length > 1 && !key.ctrl && !key.meta) {
      for (const ch of input) route(ch, key);
      return;
    }
    if (m.kind === 'buy') return buyKey(m, input, key);
    if (m.kind === 'ended') return endedKey(m, input, key);
    if (m.kind === 'help' || m.kind === 'away') return setMode({ kind: 'board' });
    boardKey(input, key);
  };
  useKeys(route);

  if (layout.tooSmall) {
    return (
      <Box height={Math.max(1, termRows - 1)}>
        <Text wrap="truncate-end">
          Terminal too small: neighborbid needs {MIN_COLUMNS}×{MIN_ROWS}, this one is {columns}×{termRows}. q quits.
        </Text>
      </Box>
    );
  }

  const above = offset;
  const below = Math.max(0, view.rows.length - offset - visible.length);
  const scrollHint = [above ? `↑ ${above} more` : '', below ? `↓ ${below} more` : ''].filter(Boolean).join('  ');
  // The top rule says how the board is ordered and narrowed, so a filtered board never passes for the whole one.
  const orderLabel = [
    `sort: ${sortLabel(order.sort)}`,
    order.mine === 'all' ? '' : `showing: ${mineLabel(order.mine)}`,
    liveFilter ? `filter “${liveFilter}”` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const position = view.rows.length ? `${current.index + 1}/${view.rows.length}` : '0/0';

  const detail =
    layout.detail === 'none' ? null : (
      <DetailPane
        auction={selected}
        bids={current.id === null ? [] : store.bids(current.id)}
        mine={current.id === null ? null : store.mine(current.id)}
        myMax={current.id === null ? null : store.myMax(current.id)}
        who={labels(store)}
        isMe={(id) => store.isMe(id)}
        now={now}
        width={layout.detailWidth}
        height={layout.detailHeight}
        placement={layout.detail}
      />
    );

  return (
    <Box flexDirection="column" width={columns} height={termRows - 1}>
      <Header address={source.address} connection={store.connection} me={store.me} hasUser={source.hasUser} position={position} />
      <Rule width={columns} label={orderLabel} />
      {mode.kind === 'help' ? (
        <Help width={columns} height={mainHeight} />
      ) : mode.kind === 'ended' ? (
        <EndedList rows={ended} top={mode.top} width={columns} height={mainHeight} />
      ) : mode.kind === 'away' && source.away ? (
        <AwayList away={source.away} title={board.awayTitle} who={labels(store)} width={columns} height={mainHeight} />
      ) : (
        <Box flexDirection={layout.detail === 'side' ? 'row' : 'column'} height={mainHeight}>
          <Board
            rows={visible}
            selectedId={current.id}
            width={layout.boardWidth}
            height={layout.boardRows}
            loaded={board.loaded}
            filter={liveFilter}
            mine={minePhrase(order.mine)}
          />
          {layout.detail === 'below' ? <Rule width={columns} /> : null}
          {layout.detail === 'side' ? (
            <Box borderStyle="single" borderTop={false} borderBottom={false} borderRight={false} borderColor={theme.muted}>
              {detail}
            </Box>
          ) : (
            detail
          )}
        </Box>
      )}
      <Rule width={columns} label={mode.kind === 'ended' || mode.kind === 'help' ? '' : scrollHint} />
      <EndedStrip rows={view.ended} width={columns} />
      <Box flexDirection="column" height={2}>
        {mode.kind === 'bid' ? (
          <BidInput
            max={mode.max}
            title={mode.title}
            // Live: others keep bidding while you type, and the prompt says what it takes now.
            minimum={store.auction(mode.id)?.minNextBid ?? mode.minimum}
            field={mode.field}
            busy={mode.busy}
            error={mode.error}
          />
        ) : mode.kind === 'buy' ? (
          <Confirm question={`Buy “${mode.title}” now for ${formatMoney(mode.price)}?`} busy={mode.busy} error={mode.error} />
        ) : mode.kind === 'filter' ? (
          <FilterInput field={mode.field} />
        ) : (
          <>
            {message?.kind === 'error' ? (
              <ErrorLine message={message.text} />
            ) : message ? (
              <Text bold color={message.kind === 'outbid' ? theme.danger : theme.ok} wrap="truncate-end">
                {message.kind === 'outbid' ? '! ' : '✓ '}
                {message.text}
              </Text>
            ) : (
              <Text> </Text>
            )}
            <KeyHints canBid={source.hasUser} />
          </>
        )}
      </Box>
    </Box>
  );
}
