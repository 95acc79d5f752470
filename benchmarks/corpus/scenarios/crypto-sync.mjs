// crypto.pbkdf2Sync as a function's last act (a password hash).
import { pbkdf2Sync } from 'node:crypto'
import { now, ready, settle, truth, unitsFor } from './_harness.mjs'

const iterations = unitsFor(10_000, () => pbkdf2Sync('x', 'salt', 10_000, 64, 'sha512'))

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
