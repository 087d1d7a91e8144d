/** The policy pack runner, shared with `npm run verify`. */
export { objectAsResource, policyViolations, type Violation } from "../../tools/runtime/policy-runner";
