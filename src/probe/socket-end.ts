// Ends a socket politely (FIN) and waits for it to close, but never longer than `timeoutMs`: a peer
// that never answers the FIN must not hang `close()`.
import type { Socket } from 'node:net';

export function endSocket(socket: Socket, timeoutMs = 1000): Promise<void> {
  return new Promise<void>((resolve) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
  });
}
