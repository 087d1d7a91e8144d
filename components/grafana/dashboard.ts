/**
 * The "DynamoGraph Logs" dashboard, built with Grafana's typed builders: everything the Dynamo
 * reference dashboard has, plus levels, volumes, error rates and the most frequent errors. Pure.
 */
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as logs from "@grafana/grafana-foundation-sdk/logs";
import * as loki from "@grafana/grafana-foundation-sdk/loki";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import {
  componentLabel,
  eventsJob,
  graphLabel,
  logLevels,
  moduleField,
  unknownLevel,
} from "../core/log-schema";

export const dashboardUid = "dynamo-graph-logs";
export const dashboardTitle = "DynamoGraph Logs";

/** Panels and variables query the datasource the dashboard's datasource variable points at. */
const datasourceRef: common.DataSourceRef = { type: "loki", uid: "${datasource}" };

/**
 * The stream selector every query starts with: label matchers only, so Loki narrows to streams
 * from its index before it reads a line.
 */
const streams = (level: string) =>
  `{namespace=~"$namespace", ${graphLabel}=~"$dynamographdeployment", ${componentLabel}=~"$component", level=~"${level}"}`;

/**
 * After the streams: the search box as a line filter, then the trace id box, first as a line
 * filter (a cheap substring scan that drops almost every line before any parsing) and then
 * against structured metadata (exact, and a prefix works). An empty box adds no stage: Loki drops
 * a line filter on "" and a matcher `=~".*"` as filters that pass everything. Backticks: raw
 * strings, so regex escapes survive.
 */
const searchFilter = "|= `$search`";
const traceFilter = "|= `$trace_id` | trace_id=~`${trace_id:regex}.*`";

/** Every LogQL expression of the dashboard, by panel title. */
export const dashboardQueries = {
  "Log volume by level": `sum by (level) (count_over_time(${streams("$level")} ${searchFilter} ${traceFilter} [$__auto]))`,
  "Errors and warnings per component": `sum by (${componentLabel}, level) (rate(${streams("critical|error|warn")} ${searchFilter} ${traceFilter} [$__auto]))`,
  // Grouped by the `module` the collector attributes each entry to (a Rust module path, a Python
  // module, a traceback's innermost Dynamo frame): a few hundred values at most, where the
  // free-text message has one per distinct error line. Structured metadata: no parser runs.
  "Most frequent errors": `topk(10, sum by (${moduleField}) (count_over_time(${streams("critical|error")} ${searchFilter} ${traceFilter} [$__range])))`,
  // The events of the graph's objects: the operator names them `<graph>-<service>…`.
  "Kubernetes events": `{job="${eventsJob}", namespace=~"$namespace"} | name=~\`\${dynamographdeployment:regex}-.*\` |= \`$search\``,
  [dashboardTitle]: `${streams("$level")} ${searchFilter} ${traceFilter}`,
} as const;

const query = (expr: string) => new loki.DataqueryBuilder().expr(expr).datasource(datasourceRef).refId("A");

const allOf = (name: string, label: string, labelQuery: string, allValue = ".+") =>
  new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(datasourceRef)
    .query(labelQuery)
    .definition(labelQuery)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(allValue);

/** What the dashboard shows besides the logs. */
export interface DashboardFeatures {
  /**
   * The alerts Loki's ruler has firing for the selected graph (its Dynamo rules label every alert
   * with `graph`), read through the datasource named here.
   */
  alertsDatasourceName?: string;
}

/** The dashboard JSON, defaulting its datasource variable to the provisioned Loki datasource. */
export function buildLogsDashboard(
  datasourceUid: string,
  features: DashboardFeatures = {},
): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder(dashboardTitle)
    .uid(dashboardUid)
    .description("Logs of DynamoGraphDeployments: by namespace, graph, component, level, trace id and text")
    .tags(["dynamograph", "logs"])
    // A logs dashboard scans lines: an hour and a refresh a minute keep its cost bounded.
    .time({ from: "now-1h", to: "now" })
    .refresh("1m")
    .timezone("browser")
    .editable();
  withPanels(withVariables(builder, datasourceUid));
  if (features.alertsDatasourceName !== undefined) {
    builder.withPanel(
      new dashboard.PanelBuilder()
        .type("alertlist")
        .title("Alerts firing for this graph")
        .description("Loki ruler alerts about the selected graphs (the label graph), firing or pending")
        .options({
          viewMode: "list",
          groupMode: "default",
          maxItems: 20,
          sortOrder: 1,
          dashboardAlerts: false,
          alertName: "",
          alertInstanceLabelFilter: '{graph=~"$dynamographdeployment"}',
          datasource: features.alertsDatasourceName,
          stateFilter: { firing: true, pending: true, error: true, noData: false, normal: false },
        })
        .gridPos({ x: 0, y: 47, w: 24, h: 8 }),
    );
  }
  return builder.build();
}

/** The variables: datasource, namespace, graph, component (chained, All), level, trace id, search. */
function withVariables(
  builder: dashboard.DashboardBuilder,
  datasourceUid: string,
): dashboard.DashboardBuilder {
  const levels = [...logLevels, unknownLevel].join(",");
  return (
    builder
      .withVariable(
        new dashboard.DatasourceVariableBuilder("datasource")
          .label("Datasource")
          .type("loki")
          .current({ text: datasourceUid, value: datasourceUid }),
      )
      .withVariable(allOf("namespace", "Namespace", "label_values(namespace)"))
      .withVariable(
        allOf(
          "dynamographdeployment",
          "DynamoGraph Deployment",
          `label_values({namespace=~"$namespace"}, ${graphLabel})`,
        ),
      )
      .withVariable(
        allOf(
          "component",
          "Component",
          `label_values({namespace=~"$namespace", ${graphLabel}=~"$dynamographdeployment"}, ${componentLabel})`,
        ),
      )
      // ".*" for All: lines that are not Dynamo JSONL carry no level label and must still show.
      .withVariable(
        new dashboard.CustomVariableBuilder("level")
          .label("Level")
          .values(levels)
          .multi(true)
          .includeAll(true)
          .allValue(".*")
          .current({ text: "All", value: "$__all" }),
      )
      .withVariable(
        new dashboard.TextBoxVariableBuilder("trace_id").label("Trace ID").current({ text: "", value: "" }),
      )
      .withVariable(
        new dashboard.TextBoxVariableBuilder("search").label("Search").current({ text: "", value: "" }),
      )
  );
}

/** The panels: volumes by level, errors per component, the most frequent errors, the logs, the events. */
function withPanels(builder: dashboard.DashboardBuilder): dashboard.DashboardBuilder {
  return builder
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Log volume by level")
        .datasource(datasourceRef)
        .withTarget(query(dashboardQueries["Log volume by level"]).legendFormat("{{level}}"))
        .drawStyle(common.GraphDrawStyle.Bars)
        .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
        .fillOpacity(80)
        .gridPos({ x: 0, y: 0, w: 12, h: 8 }),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title("Errors and warnings per component")
        .description("Lines per second at level error or warn, by Dynamo component type")
        .datasource(datasourceRef)
        .withTarget(
          query(dashboardQueries["Errors and warnings per component"]).legendFormat(
            `{{${componentLabel}}} {{level}}`,
          ),
        )
        .unit("short")
        .gridPos({ x: 12, y: 0, w: 12, h: 8 }),
    )
    .withPanel(
      new table.PanelBuilder()
        .title("Most frequent errors")
        .description(
          "Where errors come from: the ten modules (Rust module paths, Python modules, a traceback's innermost Dynamo frame) with the most",
        )
        .datasource(datasourceRef)
        .withTarget(query(dashboardQueries["Most frequent errors"]).queryType("instant"))
        .sortBy([new common.TableSortByFieldStateBuilder().displayName("Value").desc(true)])
        .gridPos({ x: 0, y: 8, w: 24, h: 8 }),
    )
    .withPanel(
      new logs.PanelBuilder()
        .title(dashboardTitle)
        .datasource(datasourceRef)
        .withTarget(query(dashboardQueries[dashboardTitle]).queryType("range"))
        .showTime(true)
        .enableLogDetails(true)
        .sortOrder(common.LogsSortOrder.Descending)
        .dedupStrategy(common.LogsDedupStrategy.None)
        .wrapLogMessage(true)
        .gridPos({ x: 0, y: 16, w: 24, h: 20 }),
    )
    .withRow(new dashboard.RowBuilder("Kubernetes events").gridPos({ x: 0, y: 36, w: 24, h: 1 }))
    .withPanel(
      new logs.PanelBuilder()
        .title("Kubernetes events")
        .description(
          "Events of the selected graphs' objects: OOMKilled, FailedScheduling (no GPU), BackOff, evictions",
        )
        .datasource(datasourceRef)
        .withTarget(query(dashboardQueries["Kubernetes events"]).queryType("range"))
        .showTime(true)
        .enableLogDetails(true)
        .sortOrder(common.LogsSortOrder.Descending)
        .wrapLogMessage(true)
        .gridPos({ x: 0, y: 37, w: 24, h: 10 }),
    );
}
