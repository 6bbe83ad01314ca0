export { InventoryIndex } from "./inventory-index.js";
export {
  inventoriesOf,
  inventoryKindsOf,
  namespaceObjectOf,
  namespaceOf,
  ruleReadsNamespace,
  ruleSkipReason,
} from "./judged-with.js";
