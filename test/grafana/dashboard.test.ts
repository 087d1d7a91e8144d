import {
  buildLogsDashboard,
  dashboardQueries,
  dashboardUid,
  lokiDatasourceUid,
} from "../../components/grafana";
import { interpolate, logqlErrors } from "../helpers/logql";
import type { Json } from "../helpers/json";

const board = buildLogsDashboard(lokiDatasourceUid) as Json;
const variables = (board.templating.list as Json[]).map((v) => v.name);
const panels = board.panels as Json[];

/** Sample values as Grafana would substitute them: "All" selections and both text box states. */
const scenarios: Record<string, Record<string, string>> = {
  "everything, empty text boxes": {
    datasource: lokiDatasourceUid,
    namespace: ".+",
    dynamographdeployment: ".+",
    component: ".+",
    level: ".*",
    trace_id: "",
    request_id: "",
    search: "",
  },
  "a selection, both text boxes filled": {
    datasource: lokiDatasourceUid,
    namespace: "(dynamo|inference)",
    dynamographdeployment: "sglang-agg",
    component: "(frontend|worker)",
    level: "(error|warn)",
    trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
    request_id: "2867a73e-7375-4414-8885-12cb4fa64909",
    search: "connection reset",
  },
};

describe("DynamoGraph Logs dashboard", () => {
  test("has a fixed uid and title", () => {
    expect(board.uid).toBe(dashboardUid);
    expect(board.title).toBe("DynamoGraph Logs");
  });

  test("has the reference dashboard's variables, a level and a request id", () => {
    expect(variables).toEqual([
      "datasource",
      "namespace",
      "dynamographdeployment",
      "component",
      "level",
      "trace_id",
      "request_id",
      "search",
    ]);
    const byName = Object.fromEntries((board.templating.list as Json[]).map((v) => [v.name, v]));
    for (const name of ["namespace", "dynamographdeployment", "component", "level"]) {
      expect(byName[name]).toMatchObject({ multi: true, includeAll: true });
    }
    expect(byName.datasource).toMatchObject({
      type: "datasource",
      query: "loki",
      current: { value: lokiDatasourceUid },
    });
    expect(byName.trace_id.type).toBe("textbox");
    expect(byName.request_id).toMatchObject({ type: "textbox", label: "Request ID" });
    expect(byName.search.type).toBe("textbox");
    expect(byName.level.query).toBe("critical,error,warn,info,debug,trace,unknown");
    expect(byName.level.allValue).toBe(".*");
  });

  test("has the logs panel, volume by level, error rates per component, the top errors and a row of events", () => {
    expect(panels.map((p) => [p.type, p.title])).toEqual([
      ["timeseries", "Log volume by level"],
      ["timeseries", "Errors and warnings per component"],
      ["table", "Most frequent errors"],
      ["logs", "DynamoGraph Logs"],
      ["row", "Kubernetes events"],
      ["logs", "Kubernetes events"],
    ]);
    for (const panel of panels.filter((p) => p.type !== "row"))
      expect(panel.targets[0].expr).toBe(dashboardQueries[panel.title as keyof typeof dashboardQueries]);
  });

  test("refreshes every minute over the last hour: a logs dashboard's cost grows with both", () => {
    expect([board.refresh, board.time]).toEqual(["1m", { from: "now-1h", to: "now" }]);
  });

  test("the top errors are grouped by the module the collector attributed, never the free-text message", () => {
    const expr = dashboardQueries["Most frequent errors"];
    expect(expr).toMatch(/^topk\(10, sum by \(module\) \(count_over_time\(\{[^}]*level=~"critical\|error"\}/);
    expect(expr).not.toMatch(/message|\| json/);
  });

  test("the events row shows the events of the selected graphs' objects, from the collected events", () => {
    const expr = dashboardQueries["Kubernetes events"];
    expect(expr).toMatch(/^\{job="integrations\/kubernetes\/eventhandler", namespace=~"\$namespace"\} /);
    expect(interpolate(expr, scenarios["a selection, both text boxes filled"])).toContain(
      "| name=~`sglang-agg-.*`",
    );
  });

  test("the alerts panel is there only with alerting, filtered to the selected graphs", () => {
    expect(panels.some((p) => p.type === "alertlist")).toBe(false);
    const withAlerts = buildLogsDashboard(lokiDatasourceUid, { alertsDatasourceName: "Dynamo Loki" }) as Json;
    const alerts = (withAlerts.panels as Json[]).find((p) => p.type === "alertlist")!;
    expect(alerts.title).toBe("Alerts firing for this graph");
    expect(alerts.options).toMatchObject({
      datasource: "Dynamo Loki",
      alertInstanceLabelFilter: '{graph=~"$dynamographdeployment"}',
      stateFilter: { firing: true, pending: true },
    });
  });

  test("every panel and query uses the datasource variable", () => {
    for (const panel of panels.filter((p) => p.type !== "row")) {
      expect(panel.datasource).toEqual({ type: "loki", uid: "${datasource}" });
      for (const target of panel.targets)
        expect(target.datasource).toEqual({ type: "loki", uid: "${datasource}" });
    }
    for (const variable of board.templating.list as Json[]) {
      if (variable.type === "query")
        expect(variable.datasource).toEqual({ type: "loki", uid: "${datasource}" });
    }
  });

  test("every log query filters by all variables: label matchers, then the search, then the trace and request ids as line filters, then as metadata", () => {
    const logQueries = Object.entries(dashboardQueries).filter(([title]) => title !== "Kubernetes events");
    expect(logQueries).toHaveLength(4);
    for (const [, expr] of logQueries) {
      const selector = expr.indexOf("{");
      const search = expr.indexOf("|= `$search`");
      const traceLine = expr.indexOf("|= `$trace_id`");
      const traceMetadata = expr.indexOf("| trace_id=~`${trace_id:regex}.*`");
      const requestLine = expr.indexOf("|= `$request_id`");
      const requestMetadata = expr.indexOf("| request_id=~`${request_id:regex}.*`");
      expect(expr.slice(selector, expr.indexOf("}") + 1)).toMatch(
        /^\{namespace=~"\$namespace", nvidia_com_dynamo_graph_deployment_name=~"\$dynamographdeployment", nvidia_com_dynamo_component_type=~"\$component", level=~"[^"]+"\}$/,
      );
      expect([
        search > expr.indexOf("}"),
        traceLine > search,
        traceMetadata > traceLine,
        requestLine > traceMetadata,
        requestMetadata > requestLine,
      ]).toEqual([true, true, true, true, true]);
    }
  });

  describe.each(Object.keys(scenarios))("with %s", (scenario) => {
    test.each(Object.keys(dashboardQueries))("%s is valid LogQL", (title) => {
      const expr = interpolate(dashboardQueries[title as keyof typeof dashboardQueries], scenarios[scenario]);
      expect(logqlErrors(expr)).toEqual([]);
    });

    test("the variable queries' selectors are valid LogQL", () => {
      for (const variable of board.templating.list as Json[]) {
        const selector = /label_values\((\{.*\}),/.exec(variable.query ?? "")?.[1];
        if (selector) expect(logqlErrors(interpolate(selector, scenarios[scenario]))).toEqual([]);
      }
    });
  });

  test("an empty trace id box adds only the filters Loki drops as passing everything", () => {
    const expr = interpolate(dashboardQueries["DynamoGraph Logs"], scenarios["everything, empty text boxes"]);
    expect(expr).toContain("|= `` |= `` | trace_id=~`.*` |= `` | request_id=~`.*`");
    const filled = interpolate(
      dashboardQueries["DynamoGraph Logs"],
      scenarios["a selection, both text boxes filled"],
    );
    expect(filled).toContain(
      "|= `4bf92f3577b34da6a3ce929d0e0e4736` | trace_id=~`4bf92f3577b34da6a3ce929d0e0e4736.*`",
    );
  });

  test("the error panels leave out tower-http's repeat of a 5xx, as the error-rate alert does", () => {
    for (const title of ["Errors and warnings per component", "Most frequent errors"] as const)
      expect(dashboardQueries[title]).toContain("!~ `(?:tower_http::trace::on_failure)`");
    expect(dashboardQueries["DynamoGraph Logs"]).not.toContain("tower_http");
  });

  test("the grammar check catches a broken query", () => {
    expect(logqlErrors('{namespace=~"dynamo" |= `x`')).not.toEqual([]);
  });
});
