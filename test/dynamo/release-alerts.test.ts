/**
 * The alerts of each supported release, on lines written as that release's source prints them
 * (the format strings cited in components/core/dynamo-releases.ts): through the collector's stages
 * into what Loki stores, then through the ruler's model. Beside the corpora, which hold only some
 * of these texts, so that every signature of the table is proved to fire, and only where it should.
 */
import { dynamoLogStages } from "../../components/alloy";
import { componentLabel, type DynamoRelease, dynamoReleases, graphLabel } from "../../components/core";
import { type DynamoAlertsOptions, resolveAlertsOptions, thresholdAlerts } from "../../components/dynamo";
import { type Entry, runStages } from "../../tools/models/alloy-process";
import { fires } from "../../tools/models/loki-ruler";

/** A JSONL line as Dynamo's JsonLog prints it (logging.rs JsonLog: time, level, file, line, target, message, fields). */
const jsonl = (level: string, target: string, message: string, fields: Record<string, string> = {}) =>
  JSON.stringify({ time: "2026-08-24T10:00:00.000000Z", level, target, message, ...fields });

/** A component's lines, all of them every 10 s for 20 minutes (the longest `for`), as the collector receives them. */
const storedCache = new Map<string, Entry[]>();
function stored(lines: string[], repeats = 120): Entry[] {
  const key = JSON.stringify([lines, repeats]);
  if (!storedCache.has(key)) storedCache.set(key, storedOnce(lines, repeats));
  return storedCache.get(key)!;
}

function storedOnce(lines: string[], repeats: number): Entry[] {
  const entries = Array.from({ length: repeats }, (_, i) =>
    lines.map((line, j) => ({
      ts: i * 10_000 + j,
      line,
      labels: { namespace: "dynamo", container: "main", [graphLabel]: "g", [componentLabel]: "decode" },
      metadata: { pod: "g-decode-0" },
      extracted: {},
    })),
  ).flat();
  return runStages(dynamoLogStages(), entries);
}

const firing = (lines: string[], options: DynamoAlertsOptions, release: DynamoRelease) => {
  const entries = stored(lines);
  return thresholdAlerts(resolveAlertsOptions({ alerting: true, ...options }, release), {
    namespaces: ["dynamo"],
  })
    .filter((alert) => fires(alert.rule, alert.for, entries))
    .map((alert) => alert.category);
};

/** What a worker prints when its registration fails, by release: the same texts at their own lines. */
const registration = {
  refused: jsonl("ERROR", "dynamo_runtime::component::endpoint", "Unable to register service for discovery", {
    error: "Failed to apply DynamoWorkerMetadata CR: ApiError: forbidden (ErrorResponse { code: 403 })",
  }),
  rolledBack: jsonl(
    "WARN",
    "dynamo_runtime::discovery::kube",
    'Failed to persist metadata to CR, rolling back local state: ApiError: admission webhook "vdynamo.nvidia.com" denied the request',
  ),
  daemon: jsonl(
    "ERROR",
    "dynamo_runtime::discovery::kube",
    "Discovery daemon failed: failed to perform initial object list",
  ),
  client: jsonl("ERROR", "dynamo_runtime::distributed", "Failed to initialize Kubernetes discovery client", {
    err: "Unauthorized",
  }),
  reflector: jsonl(
    "WARN",
    "dynamo_runtime::discovery::kube::daemon",
    "DynamoWorkerMetadata CR reflector error: failed to start watching object: HyperError",
  ),
};

describe.each(Object.keys(dynamoReleases) as DynamoRelease[])("Dynamo %s", (release) => {
  test.each(Object.entries(registration))(
    "the Kubernetes API's %s failure raises control_plane, and is attributed to its module",
    (_what, line) => {
      expect(firing([line], {}, release)).toEqual(["control_plane"]);
      expect(stored([line], 1)[0].metadata.module).toMatch(/^dynamo_runtime::/);
    },
  );

  test("NATS's failure raises control_plane only where the graphs use NATS: by default on 1.0, by configuration from 1.4", () => {
    const nats =
      "RuntimeError: Failed to connect to NATS: IO error: Connection refused (os error 111). Verify NATS server is running and accessible.";
    const traceback = [
      "Traceback (most recent call last):",
      '  File "/opt/dynamo/venv/lib/python3.12/site-packages/dynamo/mocker/main.py", line 96, in worker',
      nats,
    ];
    const byDefault = dynamoReleases[release].natsByDefault.value;
    expect(firing(traceback, {}, release).includes("control_plane")).toBe(byDefault);
    expect(firing(traceback, { rules: { controlPlane: { nats: true } } }, release)).toContain(
      "control_plane",
    );
    expect(firing(traceback, { rules: { controlPlane: { nats: false } } }, release)).not.toContain(
      "control_plane",
    );
  });

  test("etcd's failure raises control_plane only where the graphs discover through etcd", () => {
    const etcd = jsonl(
      "WARN",
      "dynamo_runtime::transports::etcd",
      "Unable to create lease. Check etcd server status at http://etcd:2379",
    );
    expect(firing([etcd], {}, release)).not.toContain("control_plane");
    expect(firing([etcd], { rules: { controlPlane: { etcd: true } } }, release)).toContain("control_plane");
  });
});

describe("the error rate counts what an operator calls a failure of the platform", () => {
  const request = { request_id: "2867a73e-7375-4414-8885-12cb4fa64909", span_name: "http-request" };
  const failed = (status: string) => [
    jsonl("ERROR", "dynamo_llm::http::service::metrics", "request completed", {
      ...request,
      error_type: status.startsWith("4") ? "not_found" : "internal",
      status: "error",
    }),
    jsonl("ERROR", "dynamo_llm::http::service::service_v2", "http response sent", { ...request, status }),
  ];
  const echo = jsonl("ERROR", "tower_http::trace::on_failure", "response failed", {
    classification: "Status code: 500 Internal Server Error",
  });
  // 1.5 logs a failed request at ERROR twice; two a 10 s are 24 errors a minute, above the default 10.
  const burst = (lines: string[]) => Array.from({ length: 2 }, () => lines).flat();

  test("a burst of 5xx fires it", () => {
    expect(firing(burst(failed("500")), {}, "1.5")).toContain("error_rate");
  });

  test("the same burst of 4xx does not: the client's mistakes are stored at warn", () => {
    expect(firing(burst(failed("404")), {}, "1.5")).not.toContain("error_rate");
    expect(stored(failed("404"), 1).map((e) => e.labels.level)).toEqual(["warn", "warn"]);
  });

  test("tower-http's repeat of a 5xx is not counted", () => {
    expect(firing(burst([echo]), {}, "1.5")).not.toContain("error_rate");
    expect(stored([echo], 1)[0].labels.level).toBe("error");
  });
});
