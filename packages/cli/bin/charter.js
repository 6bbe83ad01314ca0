#!/usr/bin/env node
// The bundle of dist/main.js (scripts/bundle-cli.mjs): one module graph to load, not hundreds.
import { main } from "../dist/bundle/main.js";

// A reader that stops early (`charter check … | head`) closes the pipe: stop quietly, with the
// status a process killed by SIGPIPE has (128 + 13), as `yes | head` does.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(141);
    throw error;
  });
}

process.exitCode = await main(process.argv);
