import { Box, Text, useApp, type Key } from 'ink';
import { useMemo, useRef, useState } from 'react';
import { errorMessage } from '../../protocol/errors.js';
import { formatMoney, parseMoney } from '../../format/money.js';
import type { Auction } from '../../protocol/types.js';
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
import { boardView, labels } from '../state/board-view.js';
import { describeError } from '../state/describe-error.js';
import { computeLayout, MIN_COLUMNS, MIN_ROWS } from '../state/layout.js';
import { moveSelection, resolveSelection, scrollOffset, type Selection } from '../state/selection.js';
import { hasControl, splitBurst } from '../state/split-keys.js';
import { editText, textState, type TextState } from '../state/text-edit.js';
import { AwayList } from './away.js';
import { BidInput } from './bid-input.js';
import { Board } from './board.js';
import { Confirm } from './confirm.js';
import { DetailPane } from './detail-pane.js';
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
  | { kind: 'filter'; field: TextState }
  | { kind: 'bid'; id: number; title: string; minimum: number; field: TextState; busy: boolean; error: string | null }
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
  const offsetRef = useRef(0);
  const mode = getMode();

  // While the filter is being typed, the board narrows with every key.
  const liveFilter = mode.kind === 'filter' ? mode.field.value : filter;
  const view = useMemo(() => boardView(store, now, liveFilter), [store, board.revision, now, liveFilter]);
  const layout = computeLayout(columns, termRows, detailOpen);
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

  const startBid = () => {
    if (!source.hasUser) return say('error', 'Bidding needs a user token: start with --token or NEIGHBORBID_TOKEN.');
    if (!selected) return;
    if (selected.status !== 'open' || selected.minNextBid === null) return say('error', 'That auction has ended.');
    const { id, title, minNextBid } = selected;
    setMode({ kind: 'bid', id, title, minimum: minNextBid, field: textState(formatMoney(minNextBid)), busy: false, error: null });
  };

  const startBuy = () => {
    if (!source.hasUser) return say('error', 'Buying needs a user token: start with --token or NEIGHBORBID_TOKEN.');
    if (!selected) return;
    if (selected.status !== 'open') return say('error', 'That auction has ended.');
    if (selected.buyNowPrice === null) return say('error', errorMessage('BUY_NOW_UNAVAILABLE', { buyNowPrice: null }));
    setMode({ kind: 'buy', id: selected.id, title: selected.title, price: selected.buyNowPrice, busy: false, error: null });
  };

  /** Runs a bid or a buy: busy while out, back to the board on success, the reason inline on failure. */
  const act = async (kind: 'bid' | 'buy', id: number, run: () => Promise<{ auction: Auction }>, done: string) => {
    const mine = (m: Mode) => m.kind === kind && m.id === id;
    setMode((m) => (mine(m) ? { ...m, busy: true, error: null } : m));
    try {
      const result = await run();
      store.upsert(result.auction, Date.now());
      board.flush();
      setMode((m) => (mine(m) ? { kind: 'board' } : m));
      say('info', done);
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
    void act('bid', m.id, () => source.bid(m.id, amount), `Bid ${formatMoney(amount)} on “${m.title}” placed: you are leading.`);
  };

  const buyKey = (m: Extract<Mode, { kind: 'buy' }>, input: string, key: Key) => {
    if (m.busy) return;
    if (input === 'y' || input === 'Y') {
      void act('buy', m.id, () => source.buy(m.id), `You bought “${m.title}” for ${formatMoney(m.price)}.`);
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

  const boardKey = (input: string, key: Key) => {
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
    if (input === 'b') return startBid();
    if (input === 'u') return startBuy();
    if (input === '/') return setMode({ kind: 'filter', field: textState(filter) });
    if (input === '?') return setMode({ kind: 'help' });
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
  const position = view.rows.length ? `${current.index + 1}/${view.rows.length}` : '0/0';
  const mainHeight = termRows - 8;

  const detail =
    layout.detail === 'none' ? null : (
      <DetailPane
        auction={selected}
        bids={current.id === null ? [] : store.bids(current.id)}
        mine={current.id === null ? null : store.mine(current.id)}
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
      <Rule width={columns} label={liveFilter ? `filter “${liveFilter}”` : ''} />
      {mode.kind === 'help' ? (
        <Help width={columns} height={mainHeight} />
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
      <Rule width={columns} label={scrollHint} />
      <EndedStrip rows={view.ended} width={columns} />
      <Box flexDirection="column" height={2}>
        {mode.kind === 'bid' ? (
          <BidInput title={mode.title} minimum={mode.minimum} field={mode.field} busy={mode.busy} error={mode.error} />
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
