/**
 * The Loki chart's template-time checks (the chart's templates/validate.yaml), restated over
 * values so that a render can be judged without Helm. Returns one sentence per violation.
 */
import { lokiComponentsByMode } from "../../components/loki";

import type { Json } from "./json";

const modeGroups = {
  Monolithic: lokiComponentsByMode.single,
  SimpleScalable: lokiComponentsByMode.simpleScalable,
  Distributed: lokiComponentsByMode.distributed,
} as const;

export function lokiChartViolations(values: Json): string[] {
  const violations: string[] = [];
  const replicas = (component: string): number => values[component]?.replicas ?? 0;
  const running = Object.entries(modeGroups)
    .filter(([, components]) => components.some((component) => replicas(component) > 0))
    .map(([mode]) => mode);
  if (running.length !== 1)
    violations.push(`workloads of ${running.length} modes have replicas: ${running.join(", ")}`);
  if (running.length === 1 && running[0] !== values.deploymentMode) {
    violations.push(`deploymentMode ${values.deploymentMode} but ${running[0]} workloads have replicas`);
  }
  if (!values.loki?.schemaConfig?.configs?.length) violations.push("no loki.schemaConfig");
  if ((values.test?.enabled ?? true) && !(values.lokiCanary?.enabled ?? true)) {
    violations.push("test.enabled without lokiCanary.enabled");
  }
  if (values.loki?.storage?.type === "filesystem" && replicas("singleBinary") > 1) {
    violations.push("filesystem storage with more than one replica");
  }
  if (values.minio?.enabled && values.ignoreMinioDeprecation !== true) {
    violations.push("minio.enabled without ignoreMinioDeprecation");
  }
  // The chart requires bucket names only for an object store (_helpers.tpl loki.isUsingObjectStorage):
  // the chunks' always (loki.commonStorageConfig, :228), the ruler's only when the ruler stores
  // its rules there rather than locally (loki.rulerStorageConfig, :254-263).
  const objectStorages = ["s3", "gcs", "azure", "swift", "alibabacloud", "cos", "bos"];
  if (!values.minio?.enabled && objectStorages.includes(values.loki?.storage?.type ?? "s3")) {
    const buckets = values.loki?.storage?.bucketNames ?? {};
    if (!buckets.chunks) violations.push("no MinIO and no bucketNames.chunks");
    if (values.loki?.rulerConfig?.storage?.type !== "local" && !buckets.ruler) {
      violations.push("ruler storage in the object store, and no bucketNames.ruler");
    }
  }
  return violations;
}
