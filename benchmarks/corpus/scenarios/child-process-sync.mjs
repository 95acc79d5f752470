// child_process.execSync waiting for a slow command.
import { execSync } from 'node:child_process'
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

function runMigration() {
  const output = execSync(`sleep ${blockMs / 1000}`) // CULPRIT
  return output.toString().trim()
}

ready(() => {
  setTimeout(() => {
    const start = now()
    runMigration()
    truth(start, now())
    settle()
  }, 10)
})
