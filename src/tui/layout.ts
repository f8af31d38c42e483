// Where each pane goes for a terminal of W x H cells. Pure, so it is tested without a terminal.
// Narrow terminals (80x24) stack stats and drift under the charts; wide ones put them on the right.

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface DashboardLayout {
  banner: Rect;
  charts: Rect[];
  stats: Rect;
  drift: Rect;
  status: Rect;
}

const SIDE_WIDTH = 40;

export function computeLayout(width: number, height: number, chartCount: number): DashboardLayout {
  const W = Math.max(20, width);
  const H = Math.max(10, height);
  const banner: Rect = { left: 0, top: 0, width: W, height: 1 };
  const status: Rect = { left: 0, top: H - 1, width: W, height: 1 };
  const bodyTop = 1;
  const bodyHeight = H - 2;
  const n = Math.max(1, chartCount);
  let chartArea: Rect;
  let stats: Rect;
  let drift: Rect;
  if (W >= 100) {
    const side = Math.min(SIDE_WIDTH + Math.floor((W - 100) / 4), 56);
    chartArea = { left: 0, top: bodyTop, width: W - side, height: bodyHeight };
    const statsHeight = Math.max(5, Math.min(bodyHeight - 8, Math.floor(bodyHeight / 2)));
    stats = { left: W - side, top: bodyTop, width: side, height: statsHeight };
    drift = { left: W - side, top: bodyTop + statsHeight, width: side, height: bodyHeight - statsHeight };
  } else {
    const bottom = Math.max(6, Math.min(9, Math.floor(bodyHeight * 0.4)));
    chartArea = { left: 0, top: bodyTop, width: W, height: bodyHeight - bottom };
    const half = Math.floor(W / 2);
    stats = { left: 0, top: bodyTop + chartArea.height, width: half, height: bottom };
    drift = { left: half, top: bodyTop + chartArea.height, width: W - half, height: bottom };
  }
  const charts: Rect[] = [];
  // Stack charts vertically; each needs at least 4 rows (border + 2 plot rows), so beyond that
  // they share a row side by side.
  const rowsFit = Math.max(1, Math.floor(chartArea.height / 5));
  const rows = Math.min(n, rowsFit);
  const perRow = Math.ceil(n / rows);
  for (let i = 0; i < n; i++) {
    const r = Math.floor(i / perRow);
    const c = i % perRow;
    const inRow = r === rows - 1 ? n - perRow * (rows - 1) : perRow;
    const top = chartArea.top + Math.floor((chartArea.height * r) / rows);
    const nextTop = chartArea.top + Math.floor((chartArea.height * (r + 1)) / rows);
    const left = chartArea.left + Math.floor((chartArea.width * c) / inRow);
    const nextLeft = chartArea.left + Math.floor((chartArea.width * (c + 1)) / inRow);
    charts.push({ left, top, width: nextLeft - left, height: nextTop - top });
  }
  return { banner, charts, stats, drift, status };
}
