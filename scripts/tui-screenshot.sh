#!/usr/bin/env bash
# Renders the live dashboard to a PNG for the docs: runs `heapscope <args>` in a 100x30 tmux window for
# SECONDS, captures the screen with its colours, and has headless Chromium draw it.
# usage: scripts/tui-screenshot.sh OUT.png SECONDS heapscope-args...
set -euo pipefail
out=$1; secs=$2; shift 2
cd "$(dirname "$0")/.."
s=shot$$
tmux new-session -d -s $s -x 100 -y 30 "TERM=xterm-256color node bin/heapscope.js $*; sleep 5"
sleep "$secs"
tmp=$(mktemp -d)
tmux capture-pane -e -p -t $s > "$tmp/screen.ans"
tmux send-keys -t $s q; sleep 1; tmux kill-session -t $s 2>/dev/null || true
node scripts/ansi-to-html.mjs < "$tmp/screen.ans" > "$tmp/screen.html"
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --user-data-dir="$tmp/chrome" --hide-scrollbars \
  --window-size=930,560 --screenshot="$out" "file://$tmp/screen.html" >/dev/null 2>&1
echo "wrote $out"
