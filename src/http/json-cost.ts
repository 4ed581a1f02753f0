// What parsing a JSON body will cost, found before parsing it: the number of objects and arrays
// (each becomes a V8 object of about 70 bytes: 2.4 million `{}` in a 7 MiB review took 161 MB of
// heap and seconds of blocked event loop). Brackets inside strings are not counted (a
// last-applied-configuration annotation holds the whole object as a string). One pass over the
// bytes, stopping as soon as the count passes `stopAbove`.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/** Objects and arrays in the JSON text, or stopAbove + 1 once there are more than that. */
export function countContainers(body: Uint8Array, stopAbove = Infinity): number {
  let count = 0;
  const n = body.length;
  for (let i = 0; i < n; i++) {
    const c = body[i];
    if (c === QUOTE) {
      // Skip the string: to the next quote not escaped.
      for (i++; i < n; i++) {
        const s = body[i];
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      count++;
      if (count > stopAbove) return count;
    }
  }
  return count;
}
