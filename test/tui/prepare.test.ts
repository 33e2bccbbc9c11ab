import { describe, expect, it } from 'vitest';
import { prepareTerminalEnv } from '../../src/tui/prepare.js';

describe('prepareTerminalEnv', () => {
  it('asks for React production builds unless told otherwise, and clears the CI flags that stop Ink drawing', () => {
    const env: NodeJS.ProcessEnv = { CI: 'true', CONTINUOUS_INTEGRATION: '1', PATH: '/bin' };
    prepareTerminalEnv(env);
    expect(env).toEqual({ NODE_ENV: 'production', PATH: '/bin' });
    const dev: NodeJS.ProcessEnv = { NODE_ENV: 'development' };
    prepareTerminalEnv(dev);
    expect(dev.NODE_ENV).toBe('development');
  });
});
