#!/usr/bin/env node
import { main } from "../dist/main.js";

// A reader that stops early (`charter check … | head`) closes the pipe: stop quietly, with the
// status a process killed by SIGPIPE has (128 + 13), as `yes | head` does.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(141);
    throw error;
  });
}

process.exitCode = await main(process.argv);
