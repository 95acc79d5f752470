// crypto.pbkdf2Sync as a function's last act (a password hash).
import { pbkdf2Sync } from 'node:crypto'
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

const iterations = Math.round((600_000 * blockMs) / 300)

function hashPassword(password) {
  return pbkdf2Sync(password, 'salt', iterations, 64, 'sha512') // CULPRIT
}

ready(() => {
  setTimeout(() => {
    const start = now()
    hashPassword('correct horse battery staple')
    truth(start, now())
    settle()
  }, 10)
})
