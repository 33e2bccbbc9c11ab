// Compile-time checks that a zod schema and a hand-written type are one shape:
// `Expect<Same<z.infer<typeof schema>, Type>>` fails to compile when they drift.

/** true when A and B accept exactly the same values. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type Expect<T extends true> = T;
