/**
 * @kubernetes/client-node's Watch (its auth, TLS and line-delimited JSON), handing each event's
 * object on as Charter keeps it (cluster/stored-object.ts: no managedFields, the watched
 * apiVersion and kind), before the informer stores it. Lists go through the same function, so
 * the cache never holds a field a list would not.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { Watch } from "@kubernetes/client-node";
import type { ServedKind } from "../../cluster/discovery.js";
import { asStored } from "../../cluster/stored-object.js";

const OBJECT_EVENTS = new Set(["ADDED", "MODIFIED", "DELETED"]);

export class StoredObjectWatch extends Watch {
  constructor(
    config: KubeConfig,
    readonly served: ServedKind,
  ) {
    super(config);
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(
      path,
      queryParams,
      (phase, object, event) => {
        const isObject = typeof object === "object" && object !== null && !Array.isArray(object);
        callback(
          phase,
          OBJECT_EVENTS.has(phase) && isObject
            ? asStored(this.served, object as Record<string, unknown>)
            : object,
          event,
        );
      },
      done,
    );
  }
}
