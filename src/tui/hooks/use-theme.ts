import { useContext } from 'react';
import { ThemeContext, type Theme } from '../theme.js';

/** The current colour theme (no colours under NO_COLOR). */
export function useTheme(): Theme {
  return useContext(ThemeContext);
}
