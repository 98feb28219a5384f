/** One request a test peer saw, for tests to assert on what reached a system. */
export interface PeerRequest {
  method: string;
  path: string;
  query: string;
  body: unknown;
  /** Arrival time (epoch ms), before any injected latency. */
  at: number;
  status: number;
  /** For 429 answers: the earliest time (epoch ms) the peer advertised a retry may come. */
  retryAt?: number;
}
