// Placeholder until the generator is written.
export function renderResults(): string {
  return ''
}
