#!/usr/bin/env node
// Turns a `tmux capture-pane -e -p` dump (ANSI SGR colours) on stdin into a self-contained HTML page on
// stdout, so that a terminal screen can be rendered to PNG by a headless browser for the docs.
import { readFileSync } from 'node:fs';

const input = readFileSync(0, 'utf8');
const base = ['#1e1e1e', '#e05561', '#8cc265', '#d18f52', '#4aa5f0', '#c162de', '#42b3c2', '#d7dae0'];
const bright = ['#5c6370', '#ff616e', '#a5e075', '#f0a45d', '#4dc4ff', '#de73ff', '#4cd1e0', '#ffffff'];
const cube = (n) => {
  if (n < 8) return base[n];
  if (n < 16) return bright[n - 8];
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const c = (x) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
};
// One fixed-width cell per character: braille and box-drawing glyphs come from fallback fonts whose
// advance widths differ, which would misalign the columns.
const esc = (s) =>
  [...s]
    .map((c) => (c === '\n' ? '\n' : `<i>${c.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</i>`))
    .join('');
let fg = null;
let bg = null;
let bold = false;
let out = '';
let open = false;
const span = () => {
  if (open) out += '</span>';
  const st = [];
  if (fg) st.push(`color:${fg}`);
  if (bg) st.push(`background:${bg}`);
  if (bold) st.push('font-weight:bold');
  out += `<span style="${st.join(';')}">`;
  open = true;
};
const re = /\x1b\[([0-9;]*)m/g;
let last = 0;
for (let m = re.exec(input); m; m = re.exec(input)) {
  out += esc(input.slice(last, m.index));
  last = re.lastIndex;
  const codes = m[1] === '' ? [0] : m[1].split(';').map(Number);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === 0) [fg, bg, bold] = [null, null, false];
    else if (c === 1) bold = true;
    else if (c === 22) bold = false;
    else if (c >= 30 && c <= 37) fg = base[c - 30];
    else if (c >= 90 && c <= 97) fg = bright[c - 90];
    else if (c === 39) fg = null;
    else if (c >= 40 && c <= 47) bg = base[c - 40];
    else if (c >= 100 && c <= 107) bg = bright[c - 100];
    else if (c === 49) bg = null;
    else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
      const col = cube(codes[i + 2]);
      if (c === 38) fg = col;
      else bg = col;
      i += 2;
    }
  }
  span();
}
out += esc(input.slice(last));
if (open) out += '</span>';
process.stdout.write(`<!doctype html><meta charset="utf-8"><body style="margin:0;background:#1e1e1e">
<style>i{display:inline-block;width:0.6em;font-style:normal;text-align:center;overflow:visible}</style>
<pre style="margin:8px;font:14px/1.2 'DejaVu Sans Mono',monospace;color:#d7dae0">${out}</pre></body>`);
