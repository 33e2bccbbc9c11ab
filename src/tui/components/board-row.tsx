import { Box, Text } from 'ink';
import { memo, type ReactNode } from 'react';
import { formatMoney } from '../../format/money.js';
import { padToWidth } from '../../format/text.js';
import { endedLabel, NAME_WIDTH, type RowView } from '../state/board-view.js';
import { useTheme } from '../hooks/use-theme.js';

/** Widths of the fixed columns; the title takes what is left. */
export const COLUMNS = { lead: 4, price: 11, leader: NAME_WIDTH + 2, bids: 6, watching: 6, ends: 9 } as const;
const FIXED = COLUMNS.lead + COLUMNS.price + COLUMNS.leader + COLUMNS.bids + COLUMNS.watching + COLUMNS.ends + 1;

export function titleWidth(width: number): number {
  return Math.max(8, width - FIXED);
}

interface CellProps {
  width: number;
  align?: 'left' | 'right';
  /** Pad the text to the cell's width, so an inverse (selected) row is one solid bar. */
  fill: boolean;
  text: string;
  children?: (text: string) => ReactNode;
}

/**
 * One column of a row. Ink's cost per frame grows with the characters it
 * draws, so a cell writes only its text and lets layout place it, except on
 * the selected row, whose inverse video must cover the padding too.
 */
function Cell({ width, align = 'left', fill, text, children }: CellProps) {
  const shown = fill ? padToWidth(text, width, align) : text;
  return (
    <Box width={width} justifyContent={align === 'right' ? 'flex-end' : 'flex-start'}>
      {children ? children(shown) : <Text wrap="truncate-end">{shown}</Text>}
    </Box>
  );
}

/** The column titles above the rows. */
export function BoardHeading({ width }: { width: number }) {
  const theme = useTheme();
  const title = (text: string) => (
    <Text bold color={theme.muted}>
      {text}
    </Text>
  );
  return (
    <Box width={width}>
      <Box width={COLUMNS.lead} />
      <Cell width={titleWidth(width)} fill={false} text="Auction" children={title} />
      <Cell width={COLUMNS.price} align="right" fill={false} text="Price" children={title} />
      <Cell width={COLUMNS.leader} fill={false} text="  Leader" children={title} />
      <Cell width={COLUMNS.bids} align="right" fill={false} text="Bids" children={title} />
      <Cell width={COLUMNS.watching} align="right" fill={false} text="Watch" children={title} />
      <Cell width={COLUMNS.ends} align="right" fill={false} text="Ends in" children={title} />
    </Box>
  );
}

export interface BoardRowProps {
  row: RowView;
  selected: boolean;
  width: number;
}

function sameRow(a: BoardRowProps, b: BoardRowProps): boolean {
  if (a.selected !== b.selected || a.width !== b.width) return false;
  const keys = Object.keys(a.row) as (keyof RowView)[];
  return keys.every((k) => a.row[k] === b.row[k]);
}

/** One auction: a selection mark, your marker (* leading, *+ leading by your maximum, ! outbid), title, price, leader, bids, watching, countdown. */
export const BoardRow = memo(function BoardRow({ row, selected, width }: BoardRowProps) {
  const theme = useTheme();
  const inv = selected;
  const mark = `${selected ? '›' : ' '}${row.mine === 'leading' ? '*' : row.mine === 'outbid' ? '!' : ' '}${row.byMax ? '+' : ''}`;
  const markColor = row.mine === 'leading' ? theme.ok : row.mine === 'outbid' ? theme.danger : undefined;
  const title = (
    <Cell width={titleWidth(width)} fill={inv} text={row.title}>
      {(t) => (
        <Text inverse={inv} dimColor={row.ended} bold={row.highlight && !row.ended} wrap="truncate-end">
          {t}
        </Text>
      )}
    </Cell>
  );
  const lead = (
    <Cell width={COLUMNS.lead} fill={inv} text={mark}>
      {(t) => (
        <Text inverse={inv} color={markColor} bold={row.mine !== null} dimColor={row.ended}>
          {t}
        </Text>
      )}
    </Cell>
  );
  if (row.ended) {
    return (
      <Box width={width}>
        {lead}
        {title}
        <Cell width={FIXED - COLUMNS.lead} align="right" fill={inv} text={`${endedLabel(row.status, row.price, row.leader)} `}>
          {(t) => (
            <Text inverse={inv} dimColor bold>
              {t}
            </Text>
          )}
        </Cell>
      </Box>
    );
  }
  const hl = row.highlight;
  const you = row.leaderIsMe;
  return (
    <Box width={width}>
      {lead}
      {title}
      <Cell width={COLUMNS.price} align="right" fill={inv} text={formatMoney(row.price)}>
        {(t) => (
          <Text inverse={inv} bold={hl} color={hl ? theme.accent : undefined}>
            {t}
          </Text>
        )}
      </Cell>
      <Cell width={COLUMNS.leader} fill={inv} text={`  ${row.leader}`}>
        {(t) => (
          <Text inverse={inv} color={you ? theme.ok : undefined} bold={you}>
            {t}
          </Text>
        )}
      </Cell>
      <Cell width={COLUMNS.bids} align="right" fill={inv} text={String(row.bidCount)}>
        {(t) => (
          <Text inverse={inv} bold={hl}>
            {t}
          </Text>
        )}
      </Cell>
      <Cell width={COLUMNS.watching} align="right" fill={inv} text={row.watching === null ? '' : String(row.watching)}>
        {(t) => (
          <Text inverse={inv} dimColor={!inv}>
            {t}
          </Text>
        )}
      </Cell>
      <Cell width={COLUMNS.ends} align="right" fill={inv} text={`${row.countdown}${row.warning ? '!' : ' '}`}>
        {(t) => (
          <Text inverse={inv} color={row.warning ? theme.danger : undefined} bold={row.warning}>
            {t}
          </Text>
        )}
      </Cell>
    </Box>
  );
}, sameRow);
