/** Charter's version, as the CLI and its reports state it. */
export const VERSION = "0.1.0";
