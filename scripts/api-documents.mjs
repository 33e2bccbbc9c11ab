// Writes the API documents made from the protocol's zod schemas: docs/openapi.json
// (the HTTP API, also served at GET /v1/openapi.json) and docs/asyncapi.json (the
// WebSocket frames). Run by `npm run openapi` after a build; commit the output.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { asyncApiDocument } from '../dist/src/protocol/asyncapi.js';
import { openApiDocument } from '../dist/src/protocol/openapi.js';
import { VERSION } from '../dist/src/version.js';

const docs = resolve(import.meta.dirname, '../docs');
for (const [file, doc] of [
  ['openapi.json', openApiDocument(VERSION)],
  ['asyncapi.json', asyncApiDocument(VERSION)],
]) {
  writeFileSync(resolve(docs, file), `${JSON.stringify(doc, null, 2)}\n`);
  process.stdout.write(`wrote docs/${file}\n`);
}
