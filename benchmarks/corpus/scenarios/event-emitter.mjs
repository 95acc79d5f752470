// An EventEmitter listener updates stock levels in a JS loop.
import { EventEmitter } from 'node:events'
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

const orders = new EventEmitter()
const stock = new Map()

function onOrderPlaced(order) {
  const start = now()
  const end = performance.now() + blockMs
  while (performance.now() < end) stock.set(order.sku, (stock.get(order.sku) ?? 0) + 1) // CULPRIT
  truth(start, now())
}

orders.on('placed', onOrderPlaced)
ready(() => {
  setTimeout(() => {
    orders.emit('placed', { sku: 'A-1' })
    settle()
  }, 10)
})
