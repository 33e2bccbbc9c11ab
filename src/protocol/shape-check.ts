// Compile-time checks that a zod schema and a hand-written type are one shape,
// made where the schema is: `shapeOf<Auction>()(z.object({…}))` fails to
// compile when the two drift apart.
import type { z } from 'zod';

/** true when A and B accept exactly the same values. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type Expect<T extends true> = T;

/** Returns the schema as it is; compiling fails unless it describes exactly the values of T. */
export function shapeOf<T>() {
  return <S extends z.ZodType>(schema: S & (Same<z.infer<S>, T> extends true ? unknown : { 'this schema and its type differ': T })): S => schema;
}
