import { PolicyPack } from "@pulumi/policy";
import { guardrails } from "./policies";

/**
 * `pulumi preview --policy-pack policy` (add `--policy-pack-config policy/production.json` for
 * production stacks): the guardrails of policies.ts, enforced on every resource the program makes.
 */
new PolicyPack("dynamo-logging", { policies: guardrails });
