/** Ctrl/⌘-K: jump to a project, an environment or a key. */
export function CommandPalette() {
  return null;
}
