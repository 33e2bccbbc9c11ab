// zod schemas as JSON Schema inside the API documents: zod 4's own output, less
// the `$schema` and `$id` a schema embedded in a document does not carry.
import { z } from 'zod';

export type Json = Record<string, unknown>;
type Target = 'draft-2020-12' | 'draft-7';

function bare(schema: unknown): Json {
  const { $schema: _s, $id: _i, ...rest } = schema as Json;
  return rest;
}

/** One schema, with everything it uses inline. `input` describes what is accepted, `output` what is sent. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output', target: Target = 'draft-2020-12'): Json {
  return bare(z.toJSONSchema(schema, { io, target, unrepresentable: 'any' }));
}

/** Named schemas as `#/components/schemas/<name>`, referring to each other by `$ref`. */
export function componentSchemas(named: Map<z.ZodType, string>, io: 'input' | 'output', target: Target = 'draft-2020-12'): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of named) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, target, unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, bare(s)]));
}
