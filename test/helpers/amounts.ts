// The amounts in what a client was shown, so that a test can say a hidden one
// (a maximum, a reserve) is not among them. A text search of the JSON would
// also find it inside an id, a port or a timestamp's milliseconds.

/** Keys whose numbers are not money. */
const NOT_MONEY = /^(id|.+Id|auction|version|seq|bidCount|watching|next|last|limit)$/;

/** Every number in `value` (walked through arrays and objects) except ids, versions, seqs and counts. */
export function amountsIn(value: unknown, key = ''): number[] {
  if (typeof value === 'number') return NOT_MONEY.test(key) ? [] : [value];
  if (Array.isArray(value)) return value.flatMap((v) => amountsIn(v, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => amountsIn(v, k));
  return [];
}
