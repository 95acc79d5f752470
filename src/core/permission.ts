/**
 * Whether this process may connect an inspector session: always, unless the
 * permission model is on without the inspector permission (Node 20 and 22
 * never grant it; Node >= 24 with `--allow-inspector`).
 */
export function inspectorAllowed(): boolean {
  try {
    const permission = (process as { permission?: { has: (scope: string) => boolean } }).permission
    return permission === undefined || permission.has('inspector')
  } catch {
    return false
  }
}
