// The field benchmark's TypeScript case, run under tsx: type annotations
// and an interface move every line, so only a source-mapped frame names the
// marked line.
import { createRequire } from 'node:module'

interface Order {
  id: number
  lines: { sku: string; qty: number; price: number }[]
  note?: string | undefined
}

const require = createRequire(import.meta.url)
const yaml = require('js-yaml') as { dump(value: unknown): string; load(text: string): unknown }

const orders: Order[] = Array.from({ length: 12_000 }, (_, i): Order => ({
  id: i,
  lines: [{ sku: `s${i}`, qty: i % 5, price: i / 7 }, { sku: `t${i}`, qty: 1, price: 2 }],
  note: i % 3 === 0 ? 'gift' : undefined,
}))
const ordersYaml: string = yaml.dump(orders)

export function importOrders(): number {
  const parsed = yaml.load(ordersYaml) as Order[] // culprit ts-yaml
  return parsed.length
}

export const typedCases: Record<string, () => unknown> = {
  'ts-yaml': (): number => importOrders(),
}
