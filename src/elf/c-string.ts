// NUL-terminated strings inside ELF string tables and DWARF string sections.

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** NUL-terminated string at `offset` (stops at the end of `bytes` if the NUL is missing). */
export function cString(bytes: Uint8Array, offset: number): string {
  let end = bytes.indexOf(0, offset);
  if (end < 0) end = bytes.byteLength;
  const s = bytes.subarray(offset, end);
  for (let i = 0; i < s.byteLength; i++) if (s[i] >= 0x80) return utf8.decode(s);
  return latin1.decode(s);
}

