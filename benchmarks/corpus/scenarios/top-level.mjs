// Module evaluation: an imported module warms a cache at the top level,
// before the event loop runs. No ready(): the block happens at start-up.
import './top-level-cache.mjs'
import { settle } from './_harness.mjs'

settle()
