/**
 * What riding out an outage costs each stack: the backlog of its tolerance, how long Loki's limits
 * take to drain it beside the live traffic, and what the collectors' state and queue need. From
 * the stack's own settings, as the render resolves them (`components/loki/catch-up.ts`,
 * `components/alloy/delivery.ts`). Measures; asserts nothing.
 */
import { resolveAlloyOptions } from "../../components/alloy";
import { outageSeconds, parseMemory } from "../../components/core";
import { designIngestPerDay, lokiCatchUp, resolveLokiOptions } from "../../components/loki";
import { parseStackConfig } from "../../infra/config";
import { listStacks, readStackConfigFile } from "./stack-config";

/**
 * A positions entry as Alloy writes it (alloy@v1.18.1 internal/component/loki/source/internal/
 * positions/positions.go:65-73): the target's key and labels and a value, about 300 bytes.
 */
const positionBytes = 300;
/** `loki.write`'s queue, in memory: ten 1 MiB batches and the open one (write/types.go:82-87). */
const queueBytes = 11 * 2 ** 20;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
const minutes = (seconds: number) => `${Math.round(seconds / 60)} min`;

export function printDeliveryCost(): void {
  console.log(
    "\nRiding out an outage, per stack: the backlog of the tolerance at the ingest Loki is built for, drained at Loki's limits beside the live traffic;",
  );
  console.log(
    "the collectors' state (positions, about 300 B a container, on their volume) and queue (in memory, per collector pod).",
  );
  console.log(
    `${"stack".padEnd(9)}${"tolerance".padEnd(11)}${"ingest".padEnd(13)}${"backlog".padEnd(11)}${"limit".padEnd(12)}${"drains in".padEnd(11)}${"node logs".padEnd(26)}state for 1,000 containers, queue`,
  );
  for (const stack of listStacks()) {
    const { config, secretKeys } = readStackConfigFile(stack);
    const parsed = parseStackConfig(config, new Set(secretKeys));
    if (!parsed.ok) continue;
    const loki = resolveLokiOptions({
      ...parsed.config.loki,
      outageTolerance: parsed.config.alloy?.outageTolerance,
    });
    const alloy = resolveAlloyOptions(parsed.config.alloy ?? {});
    const outage = outageSeconds(alloy.outageTolerance)!;
    const ingest =
      designIngestPerDay[loki.mode === "distributed" ? (loki.size ?? "starter") : loki.mode] / 86400;
    const limit = lokiCatchUp(loki).limits.ingestion_rate_mb * 2 ** 20;
    const backlog = ingest * outage;
    const drain = backlog / (limit - ingest);
    const nodeLogs = parseMemory(alloy.busiestContainerLogRate)! * outage;
    console.log(
      `${stack.padEnd(9)}${alloy.outageTolerance.padEnd(11)}${`${mib(ingest)}/s`.padEnd(13)}${gib(backlog).padEnd(11)}` +
        `${`${mib(limit)}/s`.padEnd(12)}${minutes(drain).padEnd(11)}` +
        `${`${mib(nodeLogs)} of ${alloy.nodeContainerLogMaxSize}`.padEnd(26)}` +
        `${Math.round((positionBytes * 1000) / 1024)} KiB, ${mib(queueBytes)}`,
    );
  }
}
