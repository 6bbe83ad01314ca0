export { emitVap, type VapOptions, vapBindingName, vapDocuments } from "./emit-vap.js";
