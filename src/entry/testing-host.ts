// Internal: the main realm's copy of loopwatch/testing, which the copies
// loaded inside vm contexts (jest's test files) delegate to. Not an export.
export { tracker } from '../testing/tracker.js'
export { watchCall } from '../testing/expect-no-block.js'
