import {
  buildSampleManifests,
  type DynamoGraphSampleOptions,
  DynamoGraphSample,
  mergeEnvs,
  resolveSampleOptions,
  sampleOptionProblems,
} from "../../components/dynamo";
import { type DynamoRelease, dynamoReleases } from "../../components/core";
import { schemaErrors } from "../helpers/chart";
import { crdJsonSchema } from "../helpers/crd";
import type { Json } from "../helpers/json";
import { recordResources } from "../helpers/program";
import { describeWithReference, readReferenceYaml } from "../helpers/reference";

const image = "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1";
/** The sample on 1.0, in v1alpha1's shape (services by name). */
const manifests = (options: Partial<DynamoGraphSampleOptions> = {}) =>
  buildSampleManifests(resolveSampleOptions({ release: "1.0", image, ...options }));
const spec10 = (options: Partial<DynamoGraphSampleOptions> = {}) => manifests(options).graph.spec as Json;
/** The sample on 1.5, in v1beta1's shape (components, pod templates). */
const manifests15 = (options: Partial<DynamoGraphSampleOptions> = {}) =>
  buildSampleManifests(resolveSampleOptions({ release: "1.5", ...options }));
const component = (spec: Json, name: string) => (spec.components as Json[]).find((c) => c.name === name)!;
const mainOf = (spec: Json, name: string) => component(spec, name).podTemplate.spec.containers[0];
const effectiveEnv = (options: Partial<DynamoGraphSampleOptions>, service: "Frontend" | "decode") => {
  const spec = spec10(options);
  return mergeEnvs(spec.envs, spec.services[service].envs ?? []);
};

const withEverything: Partial<DynamoGraphSampleOptions> = {
  gpus: 2,
  workerReplicas: 2,
  huggingFaceCache: "hf-cache",
  logging: { log: "info,dynamo_runtime=debug", configFile: { filters: { h2: "warn" } } },
  serviceLogging: {
    decode: { log: "debug", configFile: { filters: { dynamo_llm: "trace" } } },
    Frontend: { jsonl: false },
  },
};

const cases: [string, Partial<DynamoGraphSampleOptions>][] = [
  ["defaults (sglang)", {}],
  ["every option", withEverything],
  ["the mocker backend", { backend: "mocker" as const }],
  [
    "the mocker backend with a token Secret and overrides",
    { ...withEverything, gpus: undefined, backend: "mocker" as const, huggingFaceTokenSecret: "hf" },
  ],
];

/** Each release's CRD, as the reference data holds it, and the version its sample must validate against. */
const crds: Record<DynamoRelease, { file: string; version: string }> = {
  "1.0": { file: "dynamo/crds/nvidia.com_dynamographdeployments.yaml", version: "v1alpha1" },
  "1.5": { file: "dynamo/crds-1.5/nvidia.com_dynamographdeployments.yaml", version: "v1beta1" },
};

describeWithReference("the sample DGD against each release's DynamoGraphDeployment CRD", () => {
  /** Each release's schema, read and converted once: ajv compiles each schema object once. */
  const schemas = new Map<DynamoRelease, Json>();
  const schemaOf = (release: DynamoRelease) => {
    if (!schemas.has(release)) {
      const { file, version } = crds[release];
      schemas.set(release, crdJsonSchema(readReferenceYaml<Record<string, unknown>>(file), version));
    }
    return schemas.get(release)!;
  };

  test("every release of the table has its CRD here, at the API version the table says", () => {
    expect(Object.keys(crds).sort()).toEqual(Object.keys(dynamoReleases).sort());
    for (const [release, { version }] of Object.entries(crds))
      expect(dynamoReleases[release as DynamoRelease].graph.apiVersion).toBe(`nvidia.com/${version}`);
  });

  test.each(
    (Object.keys(crds) as DynamoRelease[]).flatMap((release) =>
      cases.map(([name, options]) => [release, name, options] as const),
    ),
  )("%s, with %s: validates against the release's CRD", (release, _case, options) => {
    const schema = schemaOf(release);
    const { graph } = buildSampleManifests(
      resolveSampleOptions({ release, ...options, ...(release === "1.0" ? { image } : {}) }),
    );
    expect(schemaErrors(schema, { ...graph, metadata: { ...graph.metadata, namespace: "dynamo" } })).toEqual(
      [],
    );
  });

  test("the conversion rejects what the API server would prune: 1.0's field in 1.5's shape and back", () => {
    const [alpha, beta] = [schemaOf("1.0"), schemaOf("1.5")];
    const { graph } = manifests();
    expect(schemaErrors(alpha, { ...graph, spec: { ...graph.spec, env: [] } })).toEqual([
      "/spec must NOT have additional properties",
    ]);
    const next = manifests15().graph;
    expect(schemaErrors(beta, { ...next, spec: { ...next.spec, envs: [] } })).toEqual([
      "/spec must NOT have additional properties",
    ]);
  });

  test("1.5's mocker graph is upstream's own (examples/backends/mocker/deploy/agg.yaml): components, types, container main, command", () => {
    const upstream = readReferenceYaml<Json>("dynamo/examples-1.5/mocker-agg.yaml");
    const { graph } = manifests15({ backend: "mocker" });
    const shape = (g: Json) => ({
      apiVersion: g.apiVersion,
      kind: g.kind,
      components: (g.spec.components as Json[]).map((c) => ({
        name: c.name,
        type: c.type,
        containers: c.podTemplate.spec.containers.map((m: Json) => ({
          name: m.name,
          image: String(m.image).split(":")[0],
          command: m.command,
          workingDir: m.workingDir,
          flags: (m.args ?? []).filter((a: string) => a.startsWith("--")),
        })),
      })),
    });
    expect(shape(graph as Json)).toEqual(shape(upstream));
  });
});

describe("sample DGD", () => {
  test("mirrors Dynamo's agg_logging example: a frontend and a GPU decode worker logging JSONL", () => {
    const { graph } = manifests();
    const spec = graph.spec as Json;
    expect(graph.apiVersion).toBe("nvidia.com/v1alpha1");
    expect(graph.kind).toBe("DynamoGraphDeployment");
    expect(spec.envs).toContainEqual({ name: "DYN_LOGGING_JSONL", value: "1" });
    expect(spec.services.Frontend).toMatchObject({ componentType: "frontend", replicas: 1 });
    expect(spec.services.decode).toMatchObject({
      componentType: "worker",
      envFromSecret: "hf-token-secret",
      resources: { limits: { gpu: "1" } },
      extraPodSpec: { mainContainer: { image, command: ["python3", "-m", "dynamo.sglang"] } },
    });
  });

  test("the mocker backend: Dynamo's mock engine on CPU behind the same frontend, no GPU, no token", () => {
    const { graph } = manifests({ backend: "mocker" });
    const spec = graph.spec as Json;
    expect(graph.metadata.name).toBe("mocker-agg");
    expect(spec.envs).toContainEqual({ name: "DYN_LOGGING_JSONL", value: "1" });
    expect(spec.services.Frontend).toMatchObject({ componentType: "frontend", replicas: 1 });
    expect(spec.services.decode).toEqual({
      componentType: "worker",
      replicas: 1,
      extraPodSpec: {
        mainContainer: {
          image,
          workingDir: "/workspace",
          command: ["python3", "-m", "dynamo.mocker"],
          args: [
            "--model-path",
            "Qwen/Qwen3-0.6B",
            "--model-name",
            "Qwen/Qwen3-0.6B",
            "--speedup-ratio",
            "1.0",
          ],
        },
      },
    });
    expect(spec10({ backend: "mocker", huggingFaceTokenSecret: "hf" }).services.decode.envFromSecret).toBe(
      "hf",
    );
  });

  test("with a Hugging Face cache claim, both services mount it and run offline; without, nothing of it", () => {
    const spec = spec10({ backend: "mocker", huggingFaceCache: "hf-cache" });
    expect(spec.pvcs).toEqual([{ name: "hf-cache", create: false }]);
    for (const service of Object.values(spec.services) as Json[])
      expect(service.volumeMounts).toEqual([{ name: "hf-cache", mountPoint: "/opt/huggingface" }]);
    expect(spec.envs).toEqual(
      expect.arrayContaining([
        { name: "HF_HOME", value: "/opt/huggingface" },
        { name: "HF_HUB_OFFLINE", value: "1" },
      ]),
    );
    const online = spec10({ backend: "mocker" });
    expect([online.pvcs, online.services.decode.volumeMounts]).toEqual([undefined, undefined]);
    expect(online.envs.map((env: Json) => env.name)).not.toContain("HF_HUB_OFFLINE");
    expect(
      sampleOptionProblems(resolveSampleOptions({ release: "1.0", image, huggingFaceCache: "HF Cache" })).map(
        (p) => p.path,
      ),
    ).toEqual(["huggingFaceCache"]);
  });

  test("image, model, token Secret and GPUs are checked against where they land", () => {
    const problems = (options: Partial<DynamoGraphSampleOptions>) =>
      sampleOptionProblems(resolveSampleOptions({ release: "1.0", image, ...options })).map(
        (p) => `${p.path}: ${p.message}`,
      );
    expect(
      problems({
        image: "nvcr.io/Nvidia/dynamo runtime:1.0",
        model: "Qwen3 0.6B",
        huggingFaceTokenSecret: "HF_Token",
      }),
    ).toEqual([
      'image: "nvcr.io/Nvidia/dynamo runtime:1.0" is not an image reference such as nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1',
      'model: "Qwen3 0.6B" is not a Hugging Face model id such as Qwen/Qwen3-0.6B (owner/name, at most 96 letters, digits, "-", "_" or ".")',
      'huggingFaceTokenSecret: "HF_Token" is not a Secret name: lower-case letters, digits, "-" and ".", at most 253 characters',
    ]);
    expect(problems({ backend: "mocker", gpus: 1 })).toEqual([
      "gpus: applies to backend sglang only: the mocker runs on CPU",
    ]);
    expect(problems({ image: "registry.local:5000/dynamo/runtime@sha256:" + "a".repeat(64) })).toEqual([]);
  });

  test("per-service overrides win over graph-level values, as the operator merges them", () => {
    expect(effectiveEnv(withEverything, "decode")).toContainEqual({ name: "DYN_LOG", value: "debug" });
    expect(effectiveEnv(withEverything, "Frontend")).toEqual(
      expect.arrayContaining([
        { name: "DYN_LOGGING_JSONL", value: "0" },
        { name: "DYN_LOG", value: "info,dynamo_runtime=debug" },
      ]),
    );
  });

  test("logging TOML files ship as ConfigMaps mounted where DYN_LOGGING_CONFIG_PATH points", () => {
    const { graph, configMaps } = manifests(withEverything);
    const spec = graph.spec as Json;
    expect(configMaps.map((c) => c.name)).toEqual(["sglang-agg-logging", "sglang-agg-decode-logging"]);
    expect(spec.envs).toContainEqual({
      name: "DYN_LOGGING_CONFIG_PATH",
      value: "/etc/dynamo/logging/logging.toml",
    });
    const volumes = (service: "Frontend" | "decode") => spec.services[service].extraPodSpec.volumes;
    expect(volumes("Frontend")).toEqual([
      { name: "dynamo-logging-config", configMap: { name: "sglang-agg-logging" } },
    ]);
    expect(volumes("decode")).toEqual([
      { name: "dynamo-logging-config", configMap: { name: "sglang-agg-decode-logging" } },
    ]);
    expect(spec.services.decode.extraPodSpec.mainContainer.volumeMounts).toEqual([
      { name: "dynamo-logging-config", mountPath: "/etc/dynamo/logging", readOnly: true },
    ]);
  });

  test("the component registers the DGD as a custom resource in the namespace given", async () => {
    const rendered = await recordResources(() => {
      const sample = new DynamoGraphSample("sample", { namespace: "dynamo", ...withEverything });
      return { graph: sample.graphName, namespace: sample.namespace };
    });
    const graph = rendered.resource("kubernetes:nvidia.com/v1beta1:DynamoGraphDeployment");
    expect(graph.parent).toBe("dynamo-logging:index:DynamoGraphSample::sample");
    expect(graph.inputs.metadata).toEqual({ name: "sglang-agg", namespace: "dynamo" });
    expect(rendered.run.resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap")).toHaveLength(2);
    expect(rendered.files["manifests.yaml"]).toContain("kind: DynamoGraphDeployment");
    expect(rendered.run.outputs).toEqual({ graph: "sglang-agg", namespace: "dynamo" });
  });

  test("rejects bad logging settings with their path", () => {
    expect(
      () => new DynamoGraphSample("s", { namespace: "dynamo", logging: { log: "dynamo_runtime:debug" } }),
    ).toThrow(
      /DynamoGraphSample "s" has invalid arguments:\n {2}- logging\.log: "dynamo_runtime:debug" separates target and level with ":"; write "dynamo_runtime=debug"/,
    );
  });

  test("on 1.5: v1beta1 components, each a pod template whose container main carries image, command, env, GPUs, mounts", () => {
    const { graph, configMaps } = manifests15(withEverything);
    const spec = graph.spec as Json;
    expect(graph.apiVersion).toBe("nvidia.com/v1beta1");
    expect(spec.env).toEqual(
      expect.arrayContaining([
        { name: "DYN_LOGGING_CONSOLE_FORMAT", value: "jsonl" },
        { name: "HF_HUB_OFFLINE", value: "1" },
      ]),
    );
    expect(spec.env.map((e: Json) => e.name)).not.toContain("DYN_LOGGING_JSONL");
    expect(component(spec, "decode")).toMatchObject({ type: "decode", replicas: 2 });
    expect(mainOf(spec, "decode")).toMatchObject({
      name: "main",
      image: "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.5.1",
      envFrom: [{ secretRef: { name: "hf-token-secret" } }],
      resources: { limits: { "nvidia.com/gpu": "2" } },
      env: [
        { name: "DYN_LOG", value: "debug" },
        { name: "DYN_LOGGING_CONFIG_PATH", value: "/etc/dynamo/logging/logging.toml" },
      ],
      volumeMounts: [
        { name: "dynamo-logging-config", mountPath: "/etc/dynamo/logging", readOnly: true },
        { name: "hf-cache", mountPath: "/opt/huggingface", readOnly: false },
      ],
    });
    expect(mainOf(spec, "Frontend").env).toEqual([{ name: "DYN_LOGGING_CONSOLE_FORMAT", value: "readable" }]);
    expect(component(spec, "decode").podTemplate.spec.volumes).toEqual([
      { name: "dynamo-logging-config", configMap: { name: configMaps[1].name } },
      { name: "hf-cache", persistentVolumeClaim: { claimName: "hf-cache" } },
    ]);
  });

  test.each([
    ["1.0", "sglang", "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1"],
    ["1.0", "mocker", "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1"],
    ["1.5", "sglang", "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.5.1"],
    ["1.5", "mocker", "nvcr.io/nvidia/ai-dynamo/dynamo-planner:1.5.1"],
  ] as const)(
    "on %s, %s runs %s by default: the release's image at its published tag",
    (release, backend, expected) => {
      expect(resolveSampleOptions({ release, backend }).image).toBe(expected);
    },
  );

  test.each([
    "nvcr.io/nvidia/ai-dynamo/dynamo-planner:my-tag",
    "nvcr.io/nvidia/ai-dynamo/dynamo-planner:latest",
    "nvcr.io/nvidia/ai-dynamo/dynamo-planner",
    "nvcr.io/nvidia/ai-dynamo/dynamo-planner:1.5",
  ])("on 1.5, %s is refused as the operator refuses it; on 1.0 it is taken", (tagged) => {
    const problems = (release: DynamoRelease) =>
      sampleOptionProblems(resolveSampleOptions({ release, backend: "mocker", image: tagged }));
    expect(problems("1.5")).toEqual([
      {
        path: "image",
        message: expect.stringMatching(
          /Dynamo 1\.5's operator refuses a main image without a semantic-version tag \(such as 1\.5\.1\)/,
        ),
      },
    ]);
    expect(problems("1.0")).toEqual([]);
    expect(
      sampleOptionProblems(
        resolveSampleOptions({ release: "1.5", image: "registry.local:5000/dynamo/planner:v1.5.1-rc.1" }),
      ),
    ).toEqual([]);
  });
});
