export {
  type AppliedException,
  applyExceptions,
  type ExceptionOutcome,
  exceptionFor,
  exceptionMatches,
  excused,
  expiringWithin,
  inForce,
  withExceptions,
} from "./apply.js";
