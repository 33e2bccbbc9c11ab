#!/usr/bin/env node
// Thin shim: the CLI is compiled to dist/ by `npm install` (prepare).
import('../dist/src/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/src/cli/main.js')) {
    process.stderr.write('neighborbid: not built yet; run `npm install` (or `npm run build`) in the package first\n');
    process.exit(1);
  }
  throw err;
});
