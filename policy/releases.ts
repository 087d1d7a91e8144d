/** The Helm releases among the resources a policy is given, by the chart they install. */
import type { StackValidationArgs } from "@pulumi/policy";
import { helmReleaseType as releaseType } from "../components/core";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function chartOf(props: Json): string | undefined {
  return typeof props.chart === "string" ? props.chart : undefined;
}

export function releases(args: StackValidationArgs, chart: string) {
  return args.resources.filter((r) => r.type === releaseType && chartOf(r.props) === chart);
}
