/**
 * The options of the Grafana provisioning component, as plain data: the same shape as its section of the stack config,
 * with the enums' values. The component and its pure builders both import them from here, so
 * neither imports the other's module for its types.
 */
import { z } from "zod";
import { type ResourceRequirements, resourceRequirementsSchema } from "../core/quantities";

/** Which Grafana gets the datasource and dashboard: see `GrafanaProvisioningOptions.target`. */
export const GrafanaTarget = { Existing: "existing", Install: "install" } as const;
export type GrafanaTarget = (typeof GrafanaTarget)[keyof typeof GrafanaTarget];

export interface GrafanaProvisioningOptions {
  /**
   * Which Grafana gets the datasource and dashboard. Default "existing".
   * - `existing`: one already running whose sidecars load labelled ConfigMaps
   *   (kube-prometheus-stack style).
   * - `install`: one installed here from the pinned chart, for self-contained environments (dev).
   */
  target?: GrafanaTarget;
  /** Label key the datasource sidecar watches. Default "grafana_datasource". */
  datasourceLabel?: string;
  /** Its value. Default "1". */
  datasourceLabelValue?: string;
  /** Label key the dashboard sidecar watches. Default "grafana_dashboard". */
  dashboardLabel?: string;
  /** Its value. Default "1". */
  dashboardLabelValue?: string;
  /** A tracing datasource (e.g. Tempo) uid: trace ids in log lines then link to their traces. */
  tracingDatasourceUid?: string;
  /** Helm release name, with target "install". Default "grafana". */
  releaseName?: string;
  /** Requests and limits of Grafana, with target "install". Default 100m/256Mi, limits 1/512Mi. */
  resources?: ResourceRequirements;
}

/** The shape of the options as stack config holds them; `grafanaOptionProblems` judges the values. */
export const grafanaOptionsSchema = z.strictObject({
  target: z.enum(GrafanaTarget).optional(),
  datasourceLabel: z.string().optional(),
  datasourceLabelValue: z.string().optional(),
  dashboardLabel: z.string().optional(),
  dashboardLabelValue: z.string().optional(),
  tracingDatasourceUid: z.string().min(1).optional(),
  releaseName: z.string().optional(),
  resources: resourceRequirementsSchema.optional(),
}) satisfies z.ZodType<GrafanaProvisioningOptions>;
