import { Box, Text } from 'ink';
import { formatClock, formatDuration } from '../../format/duration.js';
import { formatMoney } from '../../format/money.js';
import { plural } from '../../format/text.js';
import type { Auction } from '../../protocol/types.js';
import type { BidLine, Mine } from '../state/board-store.js';
import { endedLabel, type IsMe, type Who } from '../state/board-view.js';
import { formatRemaining, isWarning } from '../state/countdown.js';
import { useTheme } from '../hooks/use-theme.js';

/** Longest name the pane shows: enough for a person's name, short enough to leave the price on the line. */
const NAME_MAX = 20;

export interface DetailPaneProps {
  auction: Auction | undefined;
  bids: BidLine[];
  mine: Mine;
  /** The user's working maximum while they lead by it (theirs alone to see). */
  myMax?: number | null;
  /** How a user is named: "you", their name (cut to `max`), or "#id" while it is unknown. */
  who: Who;
  /** Whether a user is the token's own: drawn as such whatever their label says. */
  isMe: IsMe;
  now: number;
  width: number;
  height: number;
  /** Beside the board (a tall column) or below it (a wide strip). */
  placement: 'side' | 'below';
}

/** Your standing (with your maximum while it can still answer a bid), then whether the reserve is met. */
function MineMarker({ auction: a, mine, myMax }: { auction: Auction; mine: Mine; myMax: number | null }) {
  const theme = useTheme();
  const open = a.status === 'open';
  const reserve = a.hasReserve && open ? (a.reserveMet ? 'reserve met' : 'reserve not met') : '';
  const after = (text: string) => (reserve ? <Text color={a.reserveMet ? theme.muted : theme.warn}>{text}{reserve}</Text> : null);
  if (mine === 'leading') {
    const byMax = open && myMax !== null && a.currentPrice !== null && myMax > a.currentPrice;
    return (
      <Text wrap="truncate-end">
        <Text bold color={theme.ok}>
          {!open ? '* You won' : byMax ? `* your max ${formatMoney(myMax)} · leading` : '* You are leading'}
        </Text>
        {after(' · ')}
      </Text>
    );
  }
  if (mine === 'outbid')
    return (
      <Text wrap="truncate-end">
        <Text bold color={theme.danger}>
          ! You were outbid
        </Text>
        {after(' · ')}
      </Text>
    );
  return <Text wrap="truncate-end">{after('') ?? ' '}</Text>;
}

/** Buy now's price while it is offered; gone once bidding took it away. */
function buyNowText(a: Auction): string {
  if (a.buyNowPrice === null) return 'no buy now';
  if (a.buyNowAvailable) return `Buy now ${formatMoney(a.buyNowPrice)}`;
  return a.status === 'open' ? `buy now ${formatMoney(a.buyNowPrice)} gone` : `Buy now ${formatMoney(a.buyNowPrice)}`;
}

function Info({ auction: a, mine, myMax, who, isMe, now }: { auction: Auction; mine: Mine; myMax: number | null; who: Who; isMe: IsMe; now: number }) {
  const theme = useTheme();
  const open = a.status === 'open';
  const leader = who(a.leaderId, NAME_MAX);
  const remaining = Date.parse(a.endsAt) - now;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {a.title} <Text color={theme.muted}>#{a.id}{a.watching === undefined ? '' : ` · ${a.watching} watching`}</Text>
      </Text>
      {open ? (
        <Text wrap="truncate-end">
          Price <Text bold>{formatMoney(a.currentPrice)}</Text> · {plural(a.bidCount, 'bid')} · leader{' '}
          <Text bold color={isMe(a.leaderId) ? theme.ok : undefined}>
            {leader}
          </Text>
        </Text>
      ) : (
        <Text bold dimColor wrap="truncate-end">
          {endedLabel(a.status, a.currentPrice, leader)}
        </Text>
      )}
      <MineMarker auction={a} mine={mine} myMax={myMax} />
      <Text wrap="truncate-end">
        {open ? `Next bid ≥ ${formatMoney(a.minNextBid)} · ` : ''}
        {buyNowText(a)}
      </Text>
      <Text wrap="truncate-end">
        {a.softCloseSec === null ? 'no soft close' : `Soft close ${formatDuration(a.softCloseSec)}`} · ends{' '}
        {formatClock(a.endsAt)}
        {open ? (
          <Text color={isWarning(remaining) ? theme.danger : undefined} bold={isWarning(remaining)}>
            {` (in ${formatRemaining(remaining)})`}
          </Text>
        ) : null}
      </Text>
    </Box>
  );
}

function RecentBids({ bids, who, isMe, lines }: { bids: BidLine[]; who: Who; isMe: IsMe; lines: number }) {
  const theme = useTheme();
  const shown = bids.slice(0, Math.max(0, lines - 1));
  return (
    <Box flexDirection="column">
      <Text bold color={theme.muted}>
        Recent bids
      </Text>
      {shown.length === 0 ? <Text color={theme.muted}>none yet</Text> : null}
      {shown.map((b) => {
        const mine = isMe(b.bidderId);
        return (
          <Text key={b.version} wrap="truncate-end">
            {formatClock(b.at)} {formatMoney(b.amount).padStart(10)}{' '}
            <Text color={mine ? theme.ok : undefined} bold={mine}>
              {who(b.bidderId, NAME_MAX)}
            </Text>
            {b.automatic ? <Text color={theme.muted}> (auto)</Text> : null}
          </Text>
        );
      })}
    </Box>
  );
}

/** The selected auction in full: prices, rules, your standing and bids as they arrive. */
export function DetailPane({ auction, bids, mine, myMax = null, who, isMe, now, width, height, placement }: DetailPaneProps) {
  const theme = useTheme();
  if (!auction) {
    return (
      <Box width={width} height={height}>
        <Text color={theme.muted}>No auction selected.</Text>
      </Box>
    );
  }
  if (placement === 'side') {
    return (
      <Box flexDirection="column" width={width} height={height} paddingLeft={1} overflow="hidden">
        <Info auction={auction} mine={mine} myMax={myMax} who={who} isMe={isMe} now={now} />
        <Text> </Text>
        <RecentBids bids={bids} who={who} isMe={isMe} lines={height - 6} />
      </Box>
    );
  }
  const infoWidth = Math.max(30, Math.floor(width * 0.6));
  return (
    <Box width={width} height={height} overflow="hidden">
      <Box width={infoWidth} paddingLeft={1} paddingRight={1}>
        <Info auction={auction} mine={mine} myMax={myMax} who={who} isMe={isMe} now={now} />
      </Box>
      <Box width={width - infoWidth}>
        <RecentBids bids={bids} who={who} isMe={isMe} lines={height} />
      </Box>
    </Box>
  );
}
