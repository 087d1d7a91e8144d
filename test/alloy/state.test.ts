/**
 * Where the collectors keep what they have read: on a volume that outlives the container, one a
 * collector, never the chart's /tmp/alloy in the container's own filesystem.
 */
import {
  type AlloyCollectorSettings,
  alloyOptionProblems,
  alloyStoragePath,
  buildAlloyValues,
  collectorPodLabel,
  resolveAlloyOptions,
} from "../../components/alloy";
import type { Json } from "../helpers/json";

const pushUrl = "http://loki-gateway.logging.svc.cluster.local/loki/api/v1/push";
const build = (options: AlloyCollectorSettings, namespace = "logging"): Json =>
  buildAlloyValues(resolveAlloyOptions(options), { pushUrl }, namespace);
const problems = (options: AlloyCollectorSettings) =>
  alloyOptionProblems(resolveAlloyOptions(options)).map((p) => `${p.path}: ${p.message}`);

/** The volume a collector's values mount at Alloy's storage path, and that volume's source. */
function stateVolume(collector: Json): { mount: Json; claim: Json; volume: Json } {
  expect(collector.alloy.storagePath).toBe(alloyStoragePath);
  const mounts = (collector.alloy.mounts.extra as Json[]).filter((m) => m.mountPath === alloyStoragePath);
  expect(mounts).toHaveLength(1);
  const [mount] = mounts;
  const claim = (collector.controller.volumeClaimTemplates ?? []).find(
    (c: Json) => c.metadata.name === mount.name,
  );
  const volume = (collector.controller.volumes?.extra ?? []).find((v: Json) => v.name === mount.name);
  // Exactly one source: a claim per replica, or a directory on the node.
  expect([claim, volume].filter(Boolean)).toHaveLength(1);
  return { mount, claim, volume };
}

describe("the collectors' state", () => {
  test("kubernetesApi: each StatefulSet replica's positions on a claim of its own, writable to its group", () => {
    const collector = build({ replicas: 3 }).collectors["alloy-logs"];
    expect(collector.presets).toContain("statefulset");
    const { claim } = stateVolume(collector);
    expect(claim.spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "1Gi" } },
    });
    // The volume's root belongs to root; the collector runs as 473 and writes through its group.
    expect(collector.global.podSecurityContext.fsGroup).toBe(collector.alloy.securityContext.runAsGroup);
    // A replica removed with a scale-down takes its claim with it.
    expect(collector.controller.enableStatefulSetAutoDeletePVC).toBe(true);
  });

  test("nodeFiles: positions on the node, in a directory of this namespace's release, read from each file's first line", () => {
    const values = build({ gatherMethod: "nodeFiles", releaseName: "collector" }, "logging-prod");
    const { volume } = stateVolume(values.collectors["alloy-logs"]);
    expect(volume.hostPath).toEqual({
      path: "/var/lib/dynamo-logging/logging-prod/collector",
      type: "DirectoryOrCreate",
    });
    // Not the chart's tail_from_end: a new container's first lines, its start-up traceback, are read.
    expect(values.podLogsViaLoki.onlyGatherNewLogLines).toBe(false);
    // Two releases never share a directory: the default differs by namespace and release name.
    const other = build({ gatherMethod: "nodeFiles" }, "logging-staging").collectors["alloy-logs"];
    expect(stateVolume(other).volume.hostPath.path).toBe("/var/lib/dynamo-logging/logging-staging/alloy");
  });

  test("the events collector keeps its cursor on a claim of its own, whatever reads the pods", () => {
    for (const gatherMethod of ["kubernetesApi", "nodeFiles"] as const) {
      const events = build({ gatherMethod, storage: { size: "2Gi", storageClass: "gp3" } }).collectors[
        "alloy-events"
      ];
      const { claim } = stateVolume(events);
      expect(claim.spec).toEqual({
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "2Gi" } },
        storageClassName: "gp3",
      });
      expect(events.controller.replicas).toBe(1);
    }
  });

  test("both collectors carry the release's pod label and stop within a grace period longer than the queue's drain", () => {
    const values = build({ releaseName: "collector" });
    for (const name of ["alloy-logs", "alloy-events"]) {
      const { controller } = values.collectors[name];
      expect(controller.podLabels).toEqual({ [collectorPodLabel]: "collector" });
      // loki.write drains its queue for 15 s (alloy@v1.18.1 internal/component/loki/write/types.go:82-87).
      expect(controller.terminationGracePeriodSeconds).toBeGreaterThan(15);
    }
  });

  test("storage options each refused with the reason, all at once", () => {
    expect(
      problems({
        gatherMethod: "nodeFiles",
        storage: { size: "0", storageClass: "Fast_SSD", hostPath: "/var/lib/alloy" },
      }),
    ).toEqual([
      'storage.size: "0" is not a memory quantity such as "512Mi" or "4Gi" of at least 1Mi (the positions file)',
      expect.stringMatching(/^storage\.storageClass: "Fast_SSD" is not a StorageClass name/),
      expect.stringMatching(
        /^storage\.hostPath: "\/var\/lib\/alloy" overlaps \/var\/lib\/alloy, the directory of k8s-monitoring's host-storage preset, shared by every collector that uses it/,
      ),
    ]);
    expect(problems({ storage: { size: "128Ti" } })).toEqual([
      "storage.size: 128Ti is larger than any block volume a cloud makes: at most 64Ti (AWS io2 Block Express, Azure Ultra Disk, GCP Hyperdisk Extreme)",
    ]);
    // A node directory means nothing to a StatefulSet reading through the API.
    expect(problems({ storage: { hostPath: "/var/lib/collector" } })).toEqual([
      "storage.hostPath: applies to gatherMethod nodeFiles; kubernetesApi keeps each replica's state on a volume of its own",
    ]);
  });

  test.each([
    ["inside what it reads", "/var/log/alloy", "overlaps /var/log, the logs the collector reads"],
    ["holding what it reads", "/var", "overlaps /var/log, the logs the collector reads"],
    ["the kubelet's", "/var/lib/kubelet/alloy", "overlaps /var/lib/kubelet, the kubelet's"],
    ["the node's configuration", "/etc", "overlaps /etc, the node's configuration"],
    ["relative", "var/lib/collector", "is not an absolute path of plain names"],
    ["climbing out", "/var/lib/../log", "is not an absolute path of plain names"],
    ["with a trailing slash", "/var/lib/collector/", "is not an absolute path of plain names"],
    ["with a space", "/var/lib/my collector", "is not an absolute path of plain names"],
    ["of 309 characters", `/var/lib/${"x".repeat(300)}`, "is longer than 255 characters"],
  ])("a node directory %s is refused", (_, hostPath, reason) => {
    const [problem] = problems({ gatherMethod: "nodeFiles", storage: { hostPath } });
    expect(problem).toContain(reason);
  });

  test("a node directory of the collector's own is accepted", () => {
    expect(
      problems({ gatherMethod: "nodeFiles", storage: { hostPath: "/var/lib/dynamo-logging/collector-a" } }),
    ).toEqual([]);
    expect(
      build({ gatherMethod: "nodeFiles", storage: { hostPath: "/mnt/state/collector-a" } }).collectors[
        "alloy-logs"
      ].controller.volumes.extra[0].hostPath.path,
    ).toBe("/mnt/state/collector-a");
  });
});
