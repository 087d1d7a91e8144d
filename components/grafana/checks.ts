/** Grafana's rules: every problem with resolved options, at its path. Pure. */
import {
  grafanaUidProblem,
  helmReleaseNameProblem,
  labelKeyProblem,
  labelValueProblem,
} from "../core/field-rules";
import type { OptionProblem } from "../core/problems";
import { resourceProblems } from "../core/quantities";
import type { ResolvedGrafanaOptions } from "./values";

/** Every problem with the options, each at its path. */
export function grafanaOptionProblems(options: ResolvedGrafanaOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const check = (path: string, reason: string | undefined) =>
    reason !== undefined && problems.push({ path, message: reason });
  for (const field of ["datasourceLabel", "dashboardLabel"] as const)
    check(field, labelKeyProblem(options[field]));
  for (const field of ["datasourceLabelValue", "dashboardLabelValue"] as const) {
    check(field, labelValueProblem(options[field]));
  }
  check("releaseName", helmReleaseNameProblem(options.releaseName));
  if (options.tracingDatasourceUid !== undefined) {
    check("tracingDatasourceUid", grafanaUidProblem(options.tracingDatasourceUid));
  }
  problems.push(...resourceProblems("resources", options.resources));
  return problems;
}
