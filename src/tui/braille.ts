// Braille band charts: each terminal cell holds 2x4 dots, so a W x H cell chart has 2W x 4H pixels.
// We draw, per pixel column, the vertical span from the window's min to its max: a saw-tooth that
// is far denser than the screen stays visible as a band instead of aliasing into noise (which a
// polyline through sampled points does; that is why we do not use blessed-contrib's line widget).

const BRAILLE_BASE = 0x2800;
// Dot bits by [column][row] inside a cell (Unicode braille patterns).
const DOT: readonly (readonly number[])[] = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
];

/** One series reduced to pixel columns: min/max per column; NaN = no data (a gap). */
export interface BandSeries {
  min: ArrayLike<number>;
  max: ArrayLike<number>;
  /** blessed colour name, e.g. 'yellow'. */
  color: string;
}

export interface BrailleCanvas {
  widthCells: number;
  heightCells: number;
  bits: Uint8Array;
  /** Series index + 1 that last painted the cell (0 = empty), for colouring. */
  owner: Uint8Array;
}

export function newCanvas(widthCells: number, heightCells: number): BrailleCanvas {
  const n = Math.max(0, widthCells * heightCells);
  return { widthCells, heightCells, bits: new Uint8Array(n), owner: new Uint8Array(n) };
}

/** Paints each series' band; yMin/yMax map to the bottom/top pixel rows. */
export function paintBands(canvas: BrailleCanvas, series: readonly BandSeries[], yMin: number, yMax: number): void {
  const pxW = canvas.widthCells * 2;
  const pxH = canvas.heightCells * 4;
  if (pxW === 0 || pxH === 0) return;
  const span = yMax > yMin ? yMax - yMin : 1;
  const toRow = (v: number): number => {
    // Row 0 is the top pixel row.
    const r = Math.round(((yMax - v) / span) * (pxH - 1));
    return r < 0 ? 0 : r >= pxH ? pxH - 1 : r;
  };
  // Paint the last series first so that the first one (the user's first expression, e.g. `used`)
  // stays on top where bands overlap.
  for (let si = series.length - 1; si >= 0; si--) {
    const s = series[si]!;
    const n = Math.min(pxW, s.min.length, s.max.length);
    let prevTop = -1;
    let prevBottom = -1;
    for (let x = 0; x < n; x++) {
      const lo = s.min[x]!;
      const hi = s.max[x]!;
      if (Number.isNaN(lo) || Number.isNaN(hi)) {
        prevTop = prevBottom = -1; // a gap stays a gap: do not join across it
        continue;
      }
      let top = toRow(hi);
      let bottom = toRow(lo);
      // Join to the previous column so a steep edge is drawn as a line, not two dots.
      const ownTop = top;
      const ownBottom = bottom;
      if (prevTop >= 0) {
        if (prevBottom < top) top = prevBottom + 1; // previous column lies above: reach up to it
        else if (prevTop > bottom) bottom = prevTop - 1; // previous column lies below: reach down
      }
      for (let y = top; y <= bottom; y++) setDot(canvas, x, y, si + 1);
      prevTop = ownTop;
      prevBottom = ownBottom;
    }
  }
}

function setDot(c: BrailleCanvas, x: number, y: number, owner: number): void {
  const cell = (y >> 2) * c.widthCells + (x >> 1);
  c.bits[cell]! |= DOT[x & 1]![y & 3]!;
  c.owner[cell] = owner;
}

/** Lines of text, with blessed colour tags unless `color` is false (NO_COLOR). */
export function canvasLines(c: BrailleCanvas, colors: readonly string[], color: boolean): string[] {
  const lines: string[] = [];
  for (let row = 0; row < c.heightCells; row++) {
    let line = '';
    let open = 0;
    for (let col = 0; col < c.widthCells; col++) {
      const i = row * c.widthCells + col;
      const bits = c.bits[i]!;
      const owner = bits ? c.owner[i]! : 0;
      if (color && owner !== open) {
        if (open) line += '{/}';
        if (owner) line += `{${colors[owner - 1] ?? 'white'}-fg}`;
        open = owner;
      }
      line += bits ? String.fromCharCode(BRAILLE_BASE + bits) : ' ';
    }
    if (color && open) line += '{/}';
    lines.push(line);
  }
  return lines;
}
