/** Resolves with the first SIGTERM or SIGINT: the stop of the commands that run until asked. */
export function shutdownSignal(): Promise<string> {
  return new Promise((resolvePromise) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", on);
      process.off("SIGINT", on);
      resolvePromise(signal);
    };
    process.on("SIGTERM", on);
    process.on("SIGINT", on);
  });
}
