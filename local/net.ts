/** Small helpers for the local servers: listening on 127.0.0.1 with readable errors, and closing promptly. */
import type { Server as HttpServer } from 'node:http';
import type { Server } from 'node:net';

/** Listens on 127.0.0.1; a taken port is reported with what it was for. */
export function listen(server: Server, port: number, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE'
        ? new Error(`port ${port} of the ${what} is in use: stop what uses it or choose another port`)
        : err);
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Closes a server and drops its idle and active keep-alive connections. */
export function closeServer(server: HttpServer): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
