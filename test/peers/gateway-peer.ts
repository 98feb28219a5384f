/**
 * A hostile HTTP server standing where a system should be: a wrong base URL, a proxy or API
 * gateway answering the same thing to every request, or a revoked token. Connectors must see it
 * for the outage it is: checkAccess fails, findAccount never answers "nobody", no operation succeeds.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PeerRequest } from './request-log';

export type GatewayAnswer =
  /** 404 with an HTML page, as a web server or load balancer answers an unknown path. */
  | 'not-found-html'
  /** 404 with a gateway's own JSON ({"message":"Not Found"}), as cloud API gateways answer. */
  | 'not-found-json'
  /** 200 with an HTML page (a sign-in or maintenance page). */
  | 'html'
  /** 401 with a JSON error: the token was revoked. */
  | 'unauthorized';

export interface GatewayPeer {
  url: string;
  requests(): PeerRequest[];
  close(): Promise<void>;
}

export async function startGatewayPeer(answer: GatewayAnswer): Promise<GatewayPeer> {
  const log: PeerRequest[] = [];
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res) => {
    log.push({ method: req.method, path: req.path, query: req.originalUrl.split('?')[1] ?? '', body: undefined, at: Date.now(), status: 0 });
    switch (answer) {
      case 'not-found-html':
        return res.status(404).type('text/html').send('<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>');
      case 'not-found-json':
        return res.status(404).json({ message: 'Not Found' });
      case 'html':
        return res.status(200).type('text/html').send('<!doctype html><html><body><form action="/login">Sign in</form></body></html>');
      case 'unauthorized':
        return res.status(401).json({ message: 'The access token was revoked' });
    }
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => log.map((r) => ({ ...r })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
