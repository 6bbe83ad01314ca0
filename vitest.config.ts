import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["charter-source"] },
  ssr: { resolve: { conditions: ["charter-source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts", "policies/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
