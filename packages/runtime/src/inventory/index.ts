export { InventoryIndex } from "./inventory-index.js";
export {
  caseResource,
  caseResources,
  inventoriesOf,
  inventoryKindsOf,
  namespaceObjectOf,
  namespaceOf,
  ruleReadsNamespace,
  ruleSkipReason,
} from "./judged-with.js";
