import {
  buildSampleManifests,
  type DynamoGraphSampleOptions,
  DynamoGraphSample,
  dynamoGraphApiVersion,
  mergeEnvs,
  resolveSampleOptions,
  sampleOptionProblems,
} from "../../components/dynamo";
import { schemaErrors } from "../helpers/chart";
import { crdJsonSchema } from "../helpers/crd";
import { recordResources } from "../helpers/program";
import { describeWithReference, readReferenceYaml } from "../helpers/reference";

const image = "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.0.1";
const manifests = (options: Partial<DynamoGraphSampleOptions> = {}) =>
  buildSampleManifests(resolveSampleOptions({ image, ...options }));
const effectiveEnv = (options: Partial<DynamoGraphSampleOptions>, service: "Frontend" | "decode") => {
  const { spec } = manifests(options).graph;
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

describeWithReference("the sample DGD against the DynamoGraphDeployment CRD", () => {
  const crd = readReferenceYaml<Record<string, unknown>>(
    "dynamo/crds/nvidia.com_dynamographdeployments.yaml",
  );
  const schema = crdJsonSchema(crd, "v1alpha1");

  test.each([
    ["defaults (sglang)", {}],
    ["every option", withEverything],
    ["the mocker backend", { backend: "mocker" as const }],
    [
      "the mocker backend with a token Secret and overrides",
      { ...withEverything, gpus: undefined, backend: "mocker" as const, huggingFaceTokenSecret: "hf" },
    ],
  ])("with %s, validates against the CRD's openAPIV3Schema", (_case, options) => {
    const { graph } = manifests(options);
    expect(schemaErrors(schema, { ...graph, metadata: { ...graph.metadata, namespace: "dynamo" } })).toEqual(
      [],
    );
  });

  test("the conversion rejects what the API server would prune", () => {
    const { graph } = manifests();
    const misplaced = { ...graph, spec: { ...graph.spec, env: [] } };
    expect(schemaErrors(schema, misplaced)).toEqual(["/spec must NOT have additional properties"]);
  });
});

describe("sample DGD", () => {
  test("mirrors Dynamo's agg_logging example: a frontend and a GPU decode worker logging JSONL", () => {
    const { graph } = manifests();
    expect(graph.apiVersion).toBe(dynamoGraphApiVersion);
    expect(graph.kind).toBe("DynamoGraphDeployment");
    expect(graph.spec.envs).toContainEqual({ name: "DYN_LOGGING_JSONL", value: "1" });
    expect(graph.spec.services.Frontend).toMatchObject({ componentType: "frontend", replicas: 1 });
    expect(graph.spec.services.decode).toMatchObject({
      componentType: "worker",
      envFromSecret: "hf-token-secret",
      resources: { limits: { gpu: "1" } },
      extraPodSpec: { mainContainer: { image, command: ["python3", "-m", "dynamo.sglang"] } },
    });
  });

  test("the mocker backend: Dynamo's mock engine on CPU behind the same frontend, no GPU, no token", () => {
    const { graph } = manifests({ backend: "mocker" });
    expect(graph.metadata.name).toBe("mocker-agg");
    expect(graph.spec.envs).toContainEqual({ name: "DYN_LOGGING_JSONL", value: "1" });
    expect(graph.spec.services.Frontend).toMatchObject({ componentType: "frontend", replicas: 1 });
    expect(graph.spec.services.decode).toEqual({
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
    expect(
      manifests({ backend: "mocker", huggingFaceTokenSecret: "hf" }).graph.spec.services.decode.envFromSecret,
    ).toBe("hf");
  });

  test("with a Hugging Face cache claim, both services mount it and run offline; without, nothing of it", () => {
    const { spec } = manifests({ backend: "mocker", huggingFaceCache: "hf-cache" }).graph;
    expect(spec.pvcs).toEqual([{ name: "hf-cache", create: false }]);
    for (const service of Object.values(spec.services))
      expect(service.volumeMounts).toEqual([{ name: "hf-cache", mountPoint: "/opt/huggingface" }]);
    expect(spec.envs).toEqual(
      expect.arrayContaining([
        { name: "HF_HOME", value: "/opt/huggingface" },
        { name: "HF_HUB_OFFLINE", value: "1" },
      ]),
    );
    const online = manifests({ backend: "mocker" }).graph.spec;
    expect([online.pvcs, online.services.decode.volumeMounts]).toEqual([undefined, undefined]);
    expect(online.envs.map((env) => env.name)).not.toContain("HF_HUB_OFFLINE");
    expect(
      sampleOptionProblems(resolveSampleOptions({ image, huggingFaceCache: "HF Cache" })).map((p) => p.path),
    ).toEqual(["huggingFaceCache"]);
  });

  test("image, model, token Secret and GPUs are checked against where they land", () => {
    const problems = (options: Partial<DynamoGraphSampleOptions>) =>
      sampleOptionProblems(resolveSampleOptions({ image, ...options })).map((p) => `${p.path}: ${p.message}`);
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
    expect(configMaps.map((c) => c.name)).toEqual(["sglang-agg-logging", "sglang-agg-decode-logging"]);
    expect(graph.spec.envs).toContainEqual({
      name: "DYN_LOGGING_CONFIG_PATH",
      value: "/etc/dynamo/logging/logging.toml",
    });
    const volumes = (service: "Frontend" | "decode") => graph.spec.services[service].extraPodSpec.volumes;
    expect(volumes("Frontend")).toEqual([
      { name: "dynamo-logging-config", configMap: { name: "sglang-agg-logging" } },
    ]);
    expect(volumes("decode")).toEqual([
      { name: "dynamo-logging-config", configMap: { name: "sglang-agg-decode-logging" } },
    ]);
    expect(graph.spec.services.decode.extraPodSpec.mainContainer.volumeMounts).toEqual([
      { name: "dynamo-logging-config", mountPath: "/etc/dynamo/logging", readOnly: true },
    ]);
  });

  test("the component registers the DGD as a custom resource in the namespace given", async () => {
    const rendered = await recordResources(() => {
      const sample = new DynamoGraphSample("sample", { namespace: "dynamo", image, ...withEverything });
      return { graph: sample.graphName, namespace: sample.namespace };
    });
    const graph = rendered.resource("kubernetes:nvidia.com/v1alpha1:DynamoGraphDeployment");
    expect(graph.parent).toBe("dynamo-logging:index:DynamoGraphSample::sample");
    expect(graph.inputs.metadata).toEqual({ name: "sglang-agg", namespace: "dynamo" });
    expect(rendered.run.resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap")).toHaveLength(2);
    expect(rendered.files["manifests.yaml"]).toContain("kind: DynamoGraphDeployment");
    expect(rendered.run.outputs).toEqual({ graph: "sglang-agg", namespace: "dynamo" });
  });

  test("rejects bad logging settings with their path", () => {
    expect(
      () =>
        new DynamoGraphSample("s", { namespace: "dynamo", image, logging: { log: "dynamo_runtime:debug" } }),
    ).toThrow(
      /DynamoGraphSample "s" has invalid arguments:\n {2}- logging\.log: "dynamo_runtime:debug" separates target and level with ":"; write "dynamo_runtime=debug"/,
    );
  });
});
