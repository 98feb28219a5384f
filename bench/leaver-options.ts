/** The leaver benchmark's targets; its latency, minimum sample size and options are the shared ones (options.ts). */
export const targetsSet = { p99Ms: 2000, ratioP50: 2 };
