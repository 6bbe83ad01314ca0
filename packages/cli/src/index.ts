export { type CharterConfig, defineConfig } from "./config.js";
export { main } from "./main.js";
