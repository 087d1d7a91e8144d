/** LogQL checked against Grafana's own grammar (@grafana/lezer-logql), as Grafana would parse it. */
import { parser } from "@grafana/lezer-logql";

/** Error nodes in the parse tree, as positions; empty when the expression is valid LogQL. */
export function logqlErrors(expression: string): string[] {
  const errors: string[] = [];
  parser.parse(expression).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`syntax error at ${node.from} in ${expression}`);
    },
  });
  return errors;
}

const escapeRegex = (value: string) => value.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");

/**
 * What Grafana sends to Loki for a dashboard query: template variables (`$name`, `${name}`,
 * `${name:regex}`) and the `$__auto` and `$__range` macros replaced by the values given.
 */
export function interpolate(expression: string, variables: Record<string, string>): string {
  const macros: Record<string, string> = { __auto: "1m", __range: "6h", ...variables };
  return expression.replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (match, braced, format, bare) => {
    const name = braced ?? bare;
    if (!(name in macros)) throw new Error(`no value for ${match} in ${expression}`);
    return format === "regex" ? escapeRegex(macros[name]) : macros[name];
  });
}
