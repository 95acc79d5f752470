// Internal: the main realm's copy of loopwatch/testing, which copies loaded
// inside a vm context (jest's test files) delegate to. Not an export.
export { tracker } from '../testing/tracker.js'
export { expectNoBlock } from '../testing/expect-no-block.js'
