// Settings that must be in place before Ink and React are first loaded. Kept
// apart from the app so the commands can call it before their lazy import.

/** Readies the process environment for a full-screen TUI in a person's terminal. */
export function prepareTerminalEnv(env: NodeJS.ProcessEnv = process.env): void {
  // React picks its build when first loaded; the development one is several times slower.
  env.NODE_ENV ??= 'production';
  // Ink draws nothing but the last frame when it believes it runs in CI; a
  // person at a terminal (the commands check for one) is not a CI log.
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
}
