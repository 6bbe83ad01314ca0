/** A JSON value, as read from YAML or JSON. Objects are plain records. */
export type Json = null | boolean | number | string | readonly Json[] | JsonObject;

export interface JsonObject {
  readonly [key: string]: Json;
}
