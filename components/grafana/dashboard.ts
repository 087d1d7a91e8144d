/**
 * The "DynamoGraph Logs" dashboard: everything the Dynamo reference dashboard has, plus levels,
 * volumes, error rates and the most frequent errors. Pure.
 *
 * Written as Grafana's dashboard JSON model (schemaVersion 42, the version Grafana 12 writes), in
 * the types of ./dashboard-model. It was built with @grafana/grafana-foundation-sdk's builders
 * until their module tree (209 files, about 50 ms of every render on a fresh process) was found to
 * be the largest cost of the render after the SDKs (`npm run bench -- profile dev`); the JSON they
 * produced is what this file writes, field for field.
 */
import type {
  Dashboard,
  DashboardVariable,
  DataSourceRef,
  GridPos,
  LokiQuery,
  Panel,
  RowPanel,
} from "./dashboard-model";
import {
  componentLabel,
  eventsJob,
  graphLabel,
  logLevels,
  moduleField,
  requestIdField,
  unknownLevel,
} from "../core/log-schema";
import { anyOf, failureEchoes } from "../core/dynamo-lines";

export const dashboardUid = "dynamo-graph-logs";
export const dashboardTitle = "DynamoGraph Logs";

/** Panels and variables query the datasource the dashboard's datasource variable points at. */
const datasourceRef: DataSourceRef = { type: "loki", uid: "${datasource}" };

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
const traceFilter =
  "|= `$trace_id` | trace_id=~`${trace_id:regex}.*`" +
  ` |= \`$${requestIdField}\` | ${requestIdField}=~\`\${${requestIdField}:regex}.*\``;
/**
 * The error panels count what an operator calls a failure of the platform: a line that repeats a
 * failure another already reports (tower-http's `response failed`) is left out, as the error-rate
 * alert leaves it out; a client's 4xx is stored at warn by the collector.
 */
const notAnEcho = `!~ \`${anyOf(failureEchoes)}\``;

/** Every LogQL expression of the dashboard, by panel title. */
export const dashboardQueries = {
  "Log volume by level": `sum by (level) (count_over_time(${streams("$level")} ${searchFilter} ${traceFilter} [$__auto]))`,
  "Errors and warnings per component": `sum by (${componentLabel}, level) (rate(${streams("critical|error|warn")} ${notAnEcho} ${searchFilter} ${traceFilter} [$__auto]))`,
  // Grouped by the `module` the collector attributes each entry to (a Rust module path, a Python
  // module, a traceback's innermost Dynamo frame): a few hundred values at most, where the
  // free-text message has one per distinct error line. Structured metadata: no parser runs.
  "Most frequent errors": `topk(10, sum by (${moduleField}) (count_over_time(${streams("critical|error")} ${notAnEcho} ${searchFilter} ${traceFilter} [$__range])))`,
  // The events of the graph's objects: the operator names them `<graph>-<service>…`.
  "Kubernetes events": `{job="${eventsJob}", namespace=~"$namespace"} | name=~\`\${dynamographdeployment:regex}-.*\` |= \`$search\``,
  [dashboardTitle]: `${streams("$level")} ${searchFilter} ${traceFilter}`,
} as const;

/** One Loki query of a panel, on the dashboard's datasource. */
const query = (expr: string, extra: Omit<LokiQuery, "expr" | "datasource" | "refId"> = {}): LokiQuery => ({
  expr,
  datasource: datasourceRef,
  refId: "A",
  ...extra,
});

/** What every variable states, as Grafana writes it: shown, in the URL, no interval settings. */
const variable = (
  type: DashboardVariable["type"],
  name: string,
  label: string,
  { multi = false, includeAll = false }: { multi?: boolean; includeAll?: boolean } = {},
): DashboardVariable => ({
  type,
  name,
  skipUrlSync: false,
  multi,
  allowCustomValue: true,
  includeAll,
  auto: false,
  auto_min: "10s",
  auto_count: 30,
  label,
});

/** A variable listing a label's values, several or all selectable, refreshed with the time range. */
const allOf = (name: string, label: string, labelQuery: string, allValue = ".+"): DashboardVariable => ({
  ...variable("query", name, label, { multi: true, includeAll: true }),
  datasource: datasourceRef,
  query: labelQuery,
  definition: labelQuery,
  refresh: 2, // on time range change
  sort: 1, // alphabetical, ascending
  allValue,
});

const textBox = (name: string, label: string): DashboardVariable => ({
  ...variable("textbox", name, label),
  current: { text: "", value: "" },
});

/** What Grafana writes for every panel before its own fields. */
const panel = (type: string, options?: Record<string, unknown>): Panel => ({
  type,
  transparent: false,
  repeatDirection: "h",
  ...(options === undefined ? {} : { options }),
});

/** A time series panel: legend as a list below, one series in the tooltip. */
const timeseries = (custom: Record<string, unknown>, extra: Record<string, unknown> = {}): Panel => ({
  ...panel("timeseries", {
    legend: { displayMode: "list", placement: "bottom", showLegend: false, calcs: [] },
    tooltip: { mode: "single", sort: "asc" },
  }),
  fieldConfig: { defaults: { custom, ...extra }, overrides: [] },
});

/** A logs panel: time, details and wrapped lines, newest first. */
const logsPanel = (): Panel =>
  panel("logs", {
    showLabels: false,
    showCommonLabels: false,
    showTime: true,
    showLogContextToggle: false,
    wrapLogMessage: true,
    prettifyLogMessage: false,
    enableLogDetails: true,
    sortOrder: "Descending",
    dedupStrategy: "none",
  });

const at = (x: number, y: number, w: number, h: number): { gridPos: GridPos } => ({
  gridPos: { x, y, w, h },
});

/** What the dashboard shows besides the logs. */
export interface DashboardFeatures {
  /**
   * The alerts Loki's ruler has firing for the selected graph (its Dynamo rules label every alert
   * with `graph`), read through the datasource named here.
   */
  alertsDatasourceName?: string;
}

/** The dashboard JSON, defaulting its datasource variable to the provisioned Loki datasource. */
export function buildLogsDashboard(datasourceUid: string, features: DashboardFeatures = {}): Dashboard {
  const alerts: Panel[] =
    features.alertsDatasourceName === undefined
      ? []
      : [
          {
            ...panel("alertlist"),
            title: "Alerts firing for this graph",
            description: "Loki ruler alerts about the selected graphs (the label graph), firing or pending",
            options: {
              viewMode: "list",
              groupMode: "default",
              maxItems: 20,
              sortOrder: 1,
              dashboardAlerts: false,
              alertName: "",
              alertInstanceLabelFilter: '{graph=~"$dynamographdeployment"}',
              datasource: features.alertsDatasourceName,
              stateFilter: { firing: true, pending: true, error: true, noData: false, normal: false },
            },
            ...at(0, 47, 24, 8),
          },
        ];
  return {
    timezone: "browser",
    editable: true,
    graphTooltip: 0,
    fiscalYearStartMonth: 0,
    schemaVersion: 42,
    templating: { list: variables(datasourceUid) },
    annotations: {},
    title: dashboardTitle,
    uid: dashboardUid,
    description:
      "Logs of DynamoGraphDeployments: by namespace, graph, component, level, trace id, request id and text",
    tags: ["dynamograph", "logs"],
    // A logs dashboard scans lines: an hour and a refresh a minute keep its cost bounded.
    time: { from: "now-1h", to: "now" },
    refresh: "1m",
    panels: [...panels(), ...alerts],
  };
}

/** The variables: datasource, namespace, graph, component (chained, All), level, trace and request ids, search. */
function variables(datasourceUid: string): DashboardVariable[] {
  const levels = [...logLevels, unknownLevel].join(",");
  return [
    {
      ...variable("datasource", "datasource", "Datasource"),
      query: "loki",
      current: { text: datasourceUid, value: datasourceUid },
    },
    allOf("namespace", "Namespace", "label_values(namespace)"),
    allOf(
      "dynamographdeployment",
      "DynamoGraph Deployment",
      `label_values({namespace=~"$namespace"}, ${graphLabel})`,
    ),
    allOf(
      "component",
      "Component",
      `label_values({namespace=~"$namespace", ${graphLabel}=~"$dynamographdeployment"}, ${componentLabel})`,
    ),
    // ".*" for All: lines that are not Dynamo JSONL carry no level label and must still show.
    {
      ...variable("custom", "level", "Level", { multi: true, includeAll: true }),
      query: levels,
      allValue: ".*",
      current: { text: "All", value: "$__all" },
    },
    textBox("trace_id", "Trace ID"),
    // The id Dynamo gives each request (`request_id` from 1.1, `x_dynamo_request_id` in 1.0: the
    // collector stores either as request_id), which its clients get back in the response.
    textBox(requestIdField, "Request ID"),
    textBox("search", "Search"),
  ];
}

/** The panels: volumes by level, errors per component, the most frequent errors, the logs, the events. */
function panels(): (Panel | RowPanel)[] {
  const events: RowPanel = {
    type: "row",
    collapsed: false,
    id: 0,
    panels: [],
    title: "Kubernetes events",
    ...at(0, 36, 24, 1),
  };
  return [
    {
      ...timeseries({ drawStyle: "bars", stacking: { mode: "normal" }, fillOpacity: 80 }),
      title: "Log volume by level",
      datasource: datasourceRef,
      targets: [query(dashboardQueries["Log volume by level"], { legendFormat: "{{level}}" })],
      ...at(0, 0, 12, 8),
    },
    {
      ...timeseries({}, { unit: "short" }),
      title: "Errors and warnings per component",
      description: "Lines per second at level error or warn, by Dynamo component type",
      datasource: datasourceRef,
      targets: [
        query(dashboardQueries["Errors and warnings per component"], {
          legendFormat: `{{${componentLabel}}} {{level}}`,
        }),
      ],
      ...at(12, 0, 12, 8),
    },
    {
      ...panel("table", {
        frameIndex: 0,
        showHeader: true,
        showTypeIcons: false,
        footer: { show: false, reducer: [], countRows: false },
        cellHeight: "sm",
        sortBy: [{ displayName: "Value", desc: true }],
      }),
      fieldConfig: { defaults: { custom: { align: "auto", inspect: false } }, overrides: [] },
      title: "Most frequent errors",
      description:
        "Where errors come from: the ten modules (Rust module paths, Python modules, a traceback's innermost Dynamo frame) with the most",
      datasource: datasourceRef,
      targets: [query(dashboardQueries["Most frequent errors"], { queryType: "instant" })],
      ...at(0, 8, 24, 8),
    },
    {
      ...logsPanel(),
      title: dashboardTitle,
      datasource: datasourceRef,
      targets: [query(dashboardQueries[dashboardTitle], { queryType: "range" })],
      ...at(0, 16, 24, 20),
    },
    events,
    {
      ...logsPanel(),
      title: "Kubernetes events",
      description:
        "Events of the selected graphs' objects: OOMKilled, FailedScheduling (no GPU), BackOff, evictions",
      datasource: datasourceRef,
      targets: [query(dashboardQueries["Kubernetes events"], { queryType: "range" })],
      ...at(0, 37, 24, 10),
    },
  ];
}
