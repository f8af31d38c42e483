// `heapscope watch --from recording.csv`: last night's soak in the same dashboard, whole run shown,
// with the drift verdict computed by the same streaming detectors as the live path.
import { basename } from 'node:path';
import { columnBitsFromMeta } from '../record/meta.js';
import { scanRecording, type RecordingHeader } from '../record/reader.js';
import { openDashboard } from '../tui/dashboard.js';
import { LiveSource, type HeapRoles } from '../tui/live-source.js';
import { guessHeapRoles } from './heap-roles.js';

export async function runReplay(path: string, given: Partial<HeapRoles>, fps: number): Promise<void> {
  let source: LiveSource | null = null;
  let header: RecordingHeader | null = null;
  const values: (number | null)[] = [];
  await scanRecording(
    path,
    (h) => {
      header = h;
      const roles = rolesFromMeta(h);
      source = new LiveSource({
        title: `replay ${basename(path)}`,
        replay: true,
        columns: h.columns,
        // Columns the meta marks 'stale' (newlib's mallinfo, refreshed only on request) are never guessed.
        roles: guessHeapRoles(h.columns.filter((c) => !staleColumns(h).has(c)), { ...roles, ...given }),
        // Replays keep the bounded tiers; a raw ring of 5 min at the recording's rate.
        rateHz: Math.max(1, ...(h.meta?.rates ?? [100])),
        columnBits: columnBitsFromMeta(h.meta),
      });
    },
    (t, row) => {
      values.length = row.length;
      for (let i = 0; i < row.length; i++) values[i] = Number.isNaN(row[i]!) ? null : row[i]!;
      source!.onSample({ t, wallMs: 0, values });
    },
  );
  if (!source || !header) return;
  const dash = openDashboard(source, { fps });
  await dash.closed;
}

function staleColumns(h: RecordingHeader): Set<string> {
  return new Set((h.meta?.watches ?? []).filter((w) => w.role === 'stale').flatMap((w) => w.columns));
}

function rolesFromMeta(h: RecordingHeader): Partial<HeapRoles> {
  const roles: Partial<HeapRoles> = {};
  for (const w of h.meta?.watches ?? []) {
    const col = w.columns[0] ?? w.expr;
    if (w.role === 'used' || w.role === 'free' || w.role === 'largest') roles[w.role] = col;
  }
  return roles;
}
