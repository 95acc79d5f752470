/**
 * Control characters other than the line break, as `\xHH` / `\uHHHH`: a
 * function or file name can carry any (`\x1b[2J` clears a terminal), and a
 * report must never hand them to the terminal raw.
 */
// eslint-disable-next-line no-control-regex
const kControl = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g

export function escapeControl(text: string): string {
  return text.replace(kControl, (char) => {
    const code = char.charCodeAt(0)
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
  })
}
