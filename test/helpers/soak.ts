// The short and the long version of the randomized reliability tests: `npm test`
// runs the short one; `npm run test:soak` (NB_SOAK=1) runs the same tests longer.
export const SOAK = process.env.NB_SOAK === '1';

/** The short value in `npm test`, the long one under `npm run test:soak`. */
export function soak<T>(short: T, long: T): T {
  return SOAK ? long : short;
}
