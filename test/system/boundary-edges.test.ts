/**
 * The input boundary's edges, class by class: credentials in the wrong shape, numbers no cluster
 * holds, secrets that say nothing, messages that help. Each class by generated variants of the
 * mistake, every one refused at its path without echo, and by their valid twins, which render.
 */
import { parseStackConfig } from "../../infra/config";
import { stackConfigFromObject } from "../../tools/cli/stack-config";
import { configProblems, simpleScalableOnS3 } from "../helpers/config";
import { renderConfig, stackConfig } from "../helpers/program";
import { leakedCredentials, seededCredentials } from "../helpers/seeded-credentials";

const problems = configProblems;
const kubeconfig = seededCredentials.kubeconfig.value;
const base64 = (text: string) => Buffer.from(text).toString("base64");

describe("a credential in the wrong shape is refused as content, never echoed", () => {
  const contentVariants: [string, string][] = [
    ["kubeconfig as YAML", kubeconfig],
    ["kubeconfig as one line of flow YAML", `{apiVersion: v1, kind: Config, users: [{user: {token: x}}]}`],
    ["kubeconfig as JSON", JSON.stringify({ apiVersion: "v1", kind: "Config", users: [] })],
    ["kubeconfig, base64", base64(kubeconfig)],
    ["kubeconfig, base64url", base64(kubeconfig).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")],
    ["kubeconfig, base64 on lines of 76", base64(kubeconfig).replace(/(.{76})/g, "$1\n")],
    ["kubeconfig, URL-encoded", encodeURIComponent(kubeconfig)],
    ["a private key", seededCredentials.privateKey.value],
    ["a private key, base64", base64(seededCredentials.privateKey.value)],
    ["a service account token", seededCredentials.serviceAccountToken.value],
    ["a token after a path", `/home/me/.kube/config ${seededCredentials.serviceAccountToken.value}`],
  ];

  test.each(contentVariants)(
    "cluster.kubeconfig holding %s: refused there alone, nothing of it shown",
    (_what, value) => {
      const found = problems({ cluster: { kubeconfig: value } });
      expect(found).toEqual([
        expect.stringMatching(/^cluster\.kubeconfig: is .*not a file path.*\(not shown/),
      ]);
      expect(found[0]).not.toContain(value.slice(0, 12));
      expect(leakedCredentials(found[0])).toEqual([]);
    },
  );

  test.each([
    ["a name longer than NAME_MAX", `/home/me/${"k".repeat(256)}`],
    ["a name of 128 two-byte characters and more", `/home/me/${"é".repeat(128)}`],
  ])("cluster.kubeconfig with %s is no path", (_what, value) => {
    expect(problems({ cluster: { kubeconfig: value } })).toEqual([
      expect.stringMatching(
        /^cluster\.kubeconfig: is not a file path: a name in it is \d+ bytes, more than the 255 .*\(not shown\)/,
      ),
    ]);
  });

  test.each([
    "/home/me/.kube/prod cluster.yaml",
    "/home/me/token: prod.yaml",
    "/home/me/client-key-data.yaml",
    "/etc/kube/token",
    "/srv/kube/users: admin/config",
    "./kubeconfig",
    "~/.kube/config",
    `/home/me/${"k".repeat(255)}`,
  ])("cluster.kubeconfig %j is a path, and taken", (path) => {
    expect(problems({ cluster: { kubeconfig: path } })).toEqual([]);
  });

  test.each([
    ["text", `token: ${seededCredentials.kubeconfig.core}`],
    ["kubeconfig text", kubeconfig],
    ["a number", 6443],
    ["a list", ["kind-dynamo"]],
    ["null", null],
  ])("cluster given as %s: the expected type and what was given, never its content", (_what, value) => {
    const found = problems({ cluster: value });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^cluster: /);
    expect(found[0]).not.toMatch(/6443|kind-dynamo/);
    expect(leakedCredentials(found[0])).toEqual([]);
  });

  test("a secret-like field's value is never quoted, even when it is no credential: the field names it", () => {
    const [found] = problems({
      sample: {
        enabled: true,
        backend: "sglang",
        image: "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1",
        huggingFaceTokenSecret: "Not_A_Secret_Name",
      },
    });
    expect(found).toMatch(
      /^sample\.huggingFaceTokenSecret: a string of 17 characters \(not shown\) is not a Secret name/,
    );
  });
});

describe("numbers no cluster can hold are refused in the cluster's words", () => {
  const resources = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { cpu, memory } });
  const resourcePaths: [string, (r: unknown) => Record<string, unknown>][] = [
    ["alloy.resources", (r) => ({ alloy: { resources: r } })],
    ["loki.resources.singleBinary", (r) => ({ loki: { resources: { singleBinary: r } } })],
    ["loki.resources.read", (r) => ({ loki: { ...simpleScalableOnS3(), resources: { read: r } } })],
    ["grafana.resources", (r) => ({ grafana: { target: "install", resources: r } })],
  ];

  test.each(resourcePaths)(
    "%s: more CPU or memory than any node has, requests and limits alike",
    (path, at) => {
      expect(problems(at(resources("257", "5Ti")))).toEqual([
        `${path}.limits.cpu: 257 is more than any node has: at most 256 CPUs, the largest nodes' (DGX B200, AWS p5.48xlarge)`,
        `${path}.limits.memory: 5Ti is more than any node has: at most 4Ti, the largest nodes' (DGX B200, AWS p5.48xlarge)`,
        `${path}.requests.cpu: 257 is more than any node has: at most 256 CPUs, the largest nodes' (DGX B200, AWS p5.48xlarge)`,
        `${path}.requests.memory: 5Ti is more than any node has: at most 4Ti, the largest nodes' (DGX B200, AWS p5.48xlarge)`,
      ]);
      expect(problems(at(resources("256", "4Ti")))).toEqual([]);
    },
  );

  const sglang = {
    enabled: true,
    backend: "sglang",
    image: "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1",
    huggingFaceTokenSecret: "hf-token",
  };
  test.each([
    [
      "alloy.replicas",
      { alloy: { replicas: 1001 } },
      { alloy: { replicas: 1000 } },
      /more replicas than a cluster runs for one workload: at most 1000/,
    ],
    [
      "sample.gpus",
      { sample: { ...sglang, gpus: 17 } },
      { sample: { ...sglang, gpus: 16 } },
      /17 GPUs in one pod is more than any node has: at most 16/,
    ],
    [
      "sample.workerReplicas",
      { sample: { ...sglang, workerReplicas: 5000 } },
      { sample: { ...sglang, workerReplicas: 1000 } },
      /at most 1000/,
    ],
    [
      "sample.frontendReplicas",
      { sample: { ...sglang, frontendReplicas: 1e6 } },
      { sample: { ...sglang, frontendReplicas: 3 } },
      /at most 1000/,
    ],
    [
      "loki.persistence.size",
      { loki: { persistence: { size: "65Ti" } } },
      { loki: { persistence: { size: "64Ti" } } },
      /larger than any block volume a cloud makes: at most 64Ti/,
    ],
    [
      "loki.replicas.read",
      { loki: simpleScalableOnS3({}) && { ...simpleScalableOnS3(), replicas: { read: 1001 } } },
      { loki: { ...simpleScalableOnS3(), replicas: { read: 1000 } } },
      /at most 1000/,
    ],
  ])("%s: the bound refused, the bound itself taken", (path, broken, fixed, why) => {
    expect(problems(broken)).toEqual([
      expect.stringMatching(new RegExp(`^${path.replace(/\./g, "\\.")}: .*${why.source}`)),
    ]);
    expect(problems(fixed)).toEqual([]);
  });

  const distributed = (extra: Record<string, unknown>) => ({
    loki: {
      mode: "distributed",
      size: "starter",
      objectStore: "s3",
      s3: simpleScalableOnS3().s3,
      ruler: { alertmanagerUrl: "http://alertmanager.monitoring.svc:9093" },
      ...extra,
    },
    alerts: { alerting: true },
  });

  test("a ruler scaled to zero while alerting is on runs no rule: refused; one ruler, or no alerting, is taken", () => {
    expect(problems(distributed({ replicas: { ruler: 0 } }))).toEqual([
      "loki.replicas.ruler: 0 leaves the ruler's alerts and recordings unevaluated while ruler.alertmanagerUrl or ruler.remoteWriteUrl sends them: at least 1",
    ]);
    expect(problems(distributed({ replicas: { ruler: 1 } }))).toEqual([]);
    expect(problems({ loki: { ...distributed({ replicas: { ruler: 0 } }).loki, ruler: {} } })).toEqual([]);
  });

  test.each([4, 7, 100])(
    "replication factor %i against the starter size's 3 ingesters: refused",
    (factor) => {
      expect(problems(distributed({ replicationFactor: factor }))).toEqual([
        `loki.replicationFactor: ${factor} exceeds the 3 ingester replica(s) that hold data in mode distributed; lower it or raise replicas.ingester`,
      ]);
    },
  );
});

describe("secrets that say nothing are refused by key, never shown", () => {
  const keysOf = {
    lokiRulerRemoteWritePassword: {
      loki: { ruler: { remoteWriteUrl: "https://prom.example/api/v1/write", remoteWriteUsername: "dynamo" } },
    },
    lokiS3AccessKeyId: { loki: { ...simpleScalableOnS3({ credentials: "secret", roleArn: undefined }) } },
    lokiS3SecretAccessKey: { loki: { ...simpleScalableOnS3({ credentials: "secret", roleArn: undefined }) } },
  } as const;
  const secretsFor = (key: keyof typeof keysOf, value: string) =>
    key === "lokiRulerRemoteWritePassword"
      ? { lokiRulerRemoteWritePassword: value }
      : {
          lokiS3AccessKeyId: "AKIAIOSFODNN7EXAMPL3",
          lokiS3SecretAccessKey: "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
          [key]: value,
        };

  /** Parsed as `pulumi up` hands them over: decrypted, marked secret. */
  function judged(key: keyof typeof keysOf, value: string): string[] {
    const secrets = secretsFor(key, value);
    const { config, secretKeys } = stackConfigFromObject({
      cluster: { context: "kind" },
      ...keysOf[key],
      ...secrets,
    });
    const marked = new Set([...secretKeys, ...Object.keys(secrets).map((k) => `dynamo-logging:${k}`)]);
    const result = parseStackConfig(config, marked);
    return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
  }

  test.each(
    (Object.keys(keysOf) as (keyof typeof keysOf)[]).flatMap((key) =>
      [" ", "\t", "  \n ", "s3cr3t-v4lue\n", "s3cr3t\r\nv4lue", "\ns3cr3t-v4lue"].map(
        (value) => [key, value] as const,
      ),
    ),
  )("%s = %j: refused by name, the value nowhere in the message", (key, value) => {
    const found = judged(key, value);
    expect(found).toEqual([
      expect.stringMatching(new RegExp(`^${key}: (is empty or only whitespace|holds a line break)`)),
    ]);
    if (value.trim() !== "") expect(found[0]).not.toContain(value.trim().slice(0, 6));
  });

  test.each(Object.keys(keysOf) as (keyof typeof keysOf)[])("%s with a one-line value is taken", (key) => {
    expect(judged(key, "s3cr3t-v4lue with spaces")).toEqual([]);
  });
});

describe("messages that help", () => {
  test("a very long key is cut in its path and message, with its length", () => {
    const [found] = problems({ loki: { ["k".repeat(300)]: 1 } });
    expect(found).toMatch(/^loki\.k{64}…\(300 characters\): unknown key; allowed here: /);
    expect(found.length).toBeLessThan(700);
  });

  test("a very long value is cut, with its length", () => {
    expect(problems({ namespace: "n".repeat(5000) })).toEqual([
      expect.stringMatching(/"n{64}…" \(5000 characters\)|got "n{64}…" \(5000 characters\)/),
    ]);
  });

  const durations: [string, (d: string) => Record<string, unknown>][] = [
    ["loki.retention", (d) => ({ loki: { retention: d } })],
    ["loki.minimumRetention", (d) => ({ loki: { minimumRetention: d } })],
    ["alerts.rules.errorRate.for", (d) => ({ alerts: { rules: { errorRate: { for: d } } } })],
    ["alerts.rules.crashLoop.window", (d) => ({ alerts: { rules: { crashLoop: { window: d } } } })],
    ["alerts.rules.controlPlane.for", (d) => ({ alerts: { rules: { controlPlane: { for: d } } } })],
    ["alerts.rules.silence.after", (d) => ({ alerts: { rules: { silence: { enabled: true, after: d } } } })],
  ];

  test.each(
    durations.flatMap(([path, at]) =>
      ["7days", "10 m", "1.5h", "15min", "10M", "-5m"].map((d) => [path, d, at] as const),
    ),
  )("%s = %j, a duration with the wrong unit: named at its path", (path, duration, at) => {
    const found = problems({
      loki: { ruler: { alertmanagerUrl: "http://am.monitoring.svc:9093" } },
      ...at(duration),
      ...(path.startsWith("alerts")
        ? { alerts: { alerting: true, ...(at(duration).alerts as object) } }
        : {}),
    });
    expect(found.filter((p) => p.startsWith(`${path}: `))).toHaveLength(1);
  });

  test("every mistake of one file is named at once, each at its path", () => {
    const found = problems({
      namespace: "Logs",
      loki: { retention: "7days", persistence: { size: "65Ti" }, ["x".repeat(100)]: true },
      alloy: { replicas: 5000 },
    });
    expect(found.map((p) => p.split(": ")[0])).toEqual([
      "alloy.replicas",
      "loki.persistence.size",
      "loki.retention",
      `loki.${"x".repeat(64)}…(100 characters)`,
      "namespace",
    ]);
  });
});

describe("valid twins render", () => {
  test("dev at the bounds (4Ti, 256 CPUs, 1000 replicas are not asked; the values a cluster can hold are) renders", async () => {
    const config = stackConfig("dev");
    (config.cluster as Record<string, unknown>).kubeconfig = "/home/me/token: client-key-data.yaml";
    (config.loki as Record<string, unknown>).persistence = { size: "64Ti" };
    (config.alloy as Record<string, unknown>).replicas = 3;
    const { run } = await renderConfig("dev", config);
    expect(run.resources.length).toBeGreaterThan(10);
  });
});
