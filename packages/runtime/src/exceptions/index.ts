export {
  type AppliedException,
  applyExceptions,
  type ExceptionOutcome,
  exceptionFor,
  exceptionMatches,
  excused,
  expiringWithin,
  inForce,
} from "./apply.js";
