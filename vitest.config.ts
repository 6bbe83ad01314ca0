import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["charter-source"] },
  ssr: { resolve: { conditions: ["charter-source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts", "policies/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Vitest runs one file at a time on a 2-core machine by default (cores − 1); most of this
    // suite waits on real engines and API servers, so two files at once use the machine.
    maxWorkers: 2,
  },
});
