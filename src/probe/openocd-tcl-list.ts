// Parses a TCL list (the form every OpenOCD TCL reply takes): words separated by white space,
// {braced} words kept verbatim (nested braces balanced), "quoted" words and backslash escapes.
export function parseTclList(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  while (i < n) {
    while (i < n && isSpace(text[i]!)) i++;
    if (i >= n) break;
    const c = text[i]!;
    if (c === '{') {
      let depth = 1;
      let j = i + 1;
      for (; j < n && depth > 0; j++) {
        const d = text[j]!;
        if (d === '\\') j++;
        else if (d === '{') depth++;
        else if (d === '}') depth--;
      }
      if (depth !== 0) throw new Error('unbalanced braces in TCL list');
      out.push(text.slice(i + 1, j - 1));
      i = j;
    } else if (c === '"') {
      let word = '';
      let j = i + 1;
      for (; j < n && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < n) word += unescape(text[++j]!);
        else word += text[j];
      }
      if (j >= n) throw new Error('unterminated quote in TCL list');
      out.push(word);
      i = j + 1;
    } else {
      let word = '';
      let j = i;
      for (; j < n && !isSpace(text[j]!); j++) {
        if (text[j] === '\\' && j + 1 < n) word += unescape(text[++j]!);
        else word += text[j];
      }
      out.push(word);
      i = j;
    }
  }
  return out;
}

function unescape(c: string): string {
  switch (c) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    default:
      return c;
  }
}
