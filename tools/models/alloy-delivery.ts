/**
 * A model of what the collector keeps, loses and sends twice: its sources' positions and cursors,
 * `loki.write`'s queue and retries, second by second, as Alloy v1.18.1 and its pinned
 * grafana/dskit behave, over the kubelet's logs and Loki's answers (`alloy-delivery-world.ts`).
 * A test oracle: each behaviour is one read in their source, cited where it is written. It runs a
 * stream of container lines and Kubernetes events through incidents (restarts, kills, drains,
 * outages) and counts how many times Loki stores each.
 */
import {
  Cluster,
  type CollectorModel,
  type ContainerState,
  during,
  type Incident,
  type Line,
  type LogFile,
  Loki,
  type LokiModel,
  type Outcome,
  type WorldSpec,
} from "./alloy-delivery-world";

export * from "./alloy-delivery-world";
export { collectorModelOf, lokiModelOf } from "./alloy-delivery-values";

interface Tailer {
  container: ContainerState;
  file: LogFile;
  /** Next line of `file` to read. */
  index: number;
  /** API: the last line's timestamp sent; files: the byte offset read to. */
  lastRead: number;
  connectedAt: number;
  /** Files: when the offset was last Put (at most every sync period). */
  lastPut: number;
}

interface Batch {
  lines: Line[];
  bytes: number;
}

interface Instance {
  name: string;
  node?: string;
  alive: boolean;
  /** Positions (and the events cursor, key "events") in memory, and as last saved. */
  positions: Map<string, number>;
  saved: Map<string, number>;
  tailers: Map<string, Tailer>;
  open: Batch;
  openSince: number;
  queue: Batch[];
  attempts: number;
  nextAttempt: number;
  /** Stopping: the queue drains until then, and what is left is dropped. */
  drainUntil?: number;
  restartAt?: number;
  events?: { initTimestamp: number; nextEvent: number };
}

/** `loki.write` defaults Alloy v1.18.1 keeps (internal/component/loki/write/types.go:39-53, 82-87). */
const batchBytes = 1 << 20;
const batchWaitSeconds = 1;
const queueBatches = 10;
const drainSeconds = 15;
/** Requests a shard sends a second: one at a time (shards.go:343-360), a few ms each to a healthy Loki. */
const requestsPerSecond = 20;
/** Positions reach the file every 10 s (kubernetes.go:86-89; file.go:217-227; positions.go:263-279). */
const syncSeconds = 10;
/** loki.source.kubernetes closes every stream after an hour and reopens it (kubetail/tailer.go:35, 153). */
const streamLifetimeSeconds = 3600;
/** The API server keeps events an hour (kube-apiserver --event-ttl). */
const eventTtlSeconds = 3600;
/** Seconds from a pod's deletion to its target leaving discovery. */
const discoverySeconds = 5;

/**
 * The least of grafana/dskit's waits (8d1c6d34bb5a backoff/backoff.go:35-41, 99-119), the jitter
 * at its low end: retries that outlast an outage here outlast it whatever is drawn.
 */
function leastWait(retry: number): number {
  let low = 0.5;
  let high = 1;
  for (let i = 1; i < retry; i++) {
    if (high < 300) {
      low = Math.min(2 * low, 300);
      high = Math.min(2 * high, 300);
    }
  }
  return low;
}

/** FNV-1a: a stable stand-in for the cluster ring's hash. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const emptyBatch = (): Batch => ({ lines: [], bytes: 0 });

function newInstance(name: string, node?: string): Instance {
  return {
    name,
    node,
    alive: true,
    positions: new Map(),
    saved: new Map(),
    tailers: new Map(),
    open: emptyBatch(),
    openSince: 0,
    queue: [],
    attempts: 0,
    nextAttempt: 0,
  };
}

/** The collectors' pods: their sources, queues and senders. */
class Collectors {
  readonly instances: Instance[] = [];
  readonly logs: Instance[];
  readonly eventWatchers: Instance[];
  dropped = 0;

  constructor(
    private readonly model: CollectorModel,
    private readonly cluster: Cluster,
    private readonly loki: Loki,
    private readonly incidents: readonly Incident[],
    nodes: readonly string[],
  ) {
    if (model.source === "api") {
      // Replicas spread over the nodes, as their anti-affinity would place them.
      for (let r = 0; r < model.replicas; r++)
        this.instances.push(newInstance(`logs-${r}`, nodes[r % nodes.length]));
    } else {
      for (const node of nodes) this.instances.push(newInstance(`logs-${node}`, node));
    }
    this.logs = [...this.instances];
    if (model.events === "own") this.instances.push(newInstance("events"));
    this.eventWatchers =
      model.events === "own"
        ? this.instances.slice(-1)
        : model.events === "clustered-on-logs"
          ? this.logs
          : [];
  }

  /**
   * The replica a target belongs to: rendezvous hashing over the live ones, as a consistent hash
   * ring moves a target only when its owner leaves or joins (alloy@v1.18.1 internal/component/
   * discovery/distributed_targets.go:63-68). A files collector reads its own node.
   */
  owner(c: ContainerState): Instance | undefined {
    if (this.model.source === "files") return this.logs.find((i) => i.node === c.spec.node && i.alive);
    let best: Instance | undefined;
    for (const i of this.logs) {
      if (i.alive && (!best || hash(`${i.name}/${c.key}`) > hash(`${best.name}/${c.key}`))) best = i;
    }
    return best;
  }

  /** The instance stops: its sources save their positions, its queue drains for drain_timeout. */
  stop(instance: Instance, t: number, graceful: boolean, downFor: number): void {
    if (graceful) {
      // Each files tailer Puts its offset on the way out (file/tailer.go:186-189); then the
      // positions file is written (positions.go:263-279).
      if (this.model.source === "files") {
        for (const [key, tailer] of instance.tailers) instance.positions.set(key, tailer.lastRead);
      }
      instance.saved = new Map(instance.positions);
      this.flushOpen(instance, t, true);
      instance.drainUntil = t + Math.min(drainSeconds, this.model.stopGraceSeconds);
    } else {
      for (const batch of [instance.open, ...instance.queue]) this.dropped += batch.lines.length;
      instance.open = emptyBatch();
      instance.queue = [];
    }
    instance.tailers.clear();
    instance.alive = false;
    instance.restartAt = t + downFor;
    instance.events = undefined;
  }

  private restart(instance: Instance, t: number): void {
    instance.alive = true;
    instance.restartAt = undefined;
    instance.drainUntil = undefined;
    // In the container's own filesystem, the positions go with it (the chart's /tmp/alloy).
    if (!this.model.statePersists) instance.saved = new Map();
    instance.positions = new Map(instance.saved);
    instance.attempts = 0;
    instance.nextAttempt = t;
  }

  /** The open batch goes to the queue once full or batch_wait old, if the queue has room. */
  private flushOpen(instance: Instance, t: number, force = false): boolean {
    if (instance.open.lines.length === 0) return true;
    if (!force && instance.open.bytes < batchBytes && t - instance.openSince < batchWaitSeconds) return true;
    // block_on_overflow: a full queue blocks the enqueue, and with it every source
    // (internal/component/common/loki/client/endpoint.go:47-79; receiver.go:46-48).
    if (instance.queue.length >= queueBatches) return false;
    instance.queue.push(instance.open);
    instance.open = emptyBatch();
    return true;
  }

  /** A line handed to the pipeline, or false while the queue blocks it. */
  private handOff(instance: Instance, line: Line, t: number): boolean {
    if (instance.open.bytes + line.bytes > batchBytes && !this.flushOpen(instance, t, true)) return false;
    if (instance.open.lines.length === 0) instance.openSince = t;
    instance.open.lines.push(line);
    instance.open.bytes += line.bytes;
    return true;
  }

  private send(instance: Instance, t: number): void {
    for (let r = 0; r < requestsPerSecond && instance.queue.length > 0 && t >= instance.nextAttempt; r++) {
      const batch = instance.queue[0];
      if (this.loki.push(batch.lines, batch.bytes, t) === "retry") {
        instance.attempts++;
        // N attempts, then the batch is dropped (shards.go:454-470; backoff.go:52-55, 84-97).
        if (this.model.maxBackoffRetries !== 0 && instance.attempts >= this.model.maxBackoffRetries) {
          this.dropped += instance.queue.shift()!.lines.length;
          instance.attempts = 0;
          continue;
        }
        instance.nextAttempt = t + leastWait(instance.attempts);
        return;
      }
      // Stored, or refused with a 400, which is never retried (shards.go:447-450).
      instance.queue.shift();
      instance.attempts = 0;
    }
  }

  /** A tailer for a target: from its position, or from nothing. */
  private openTailer(instance: Instance, c: ContainerState, t: number): Tailer {
    const position = instance.positions.get(c.key);
    const file = c.current;
    let lastRead: number;
    let index: number;
    if (this.model.source === "api") {
      // SinceTime is sent to the second, and only lines strictly older than the last read are
      // skipped: lines of that timestamp go again (kubetail/tailer.go:165-193, 281-286). No
      // position: the whole current file (no tail_from_end in loki.source.kubernetes).
      lastRead = position ?? 0;
      const since = Math.floor(lastRead / 1e6) * 1e6;
      index = file.lines.findIndex((l) => l.ts >= since);
    } else {
      // A saved offset wins, even past the end of a file rotated meanwhile (file/tailer.go:140-156);
      // without one, tail_from_end starts at the end (file/internal/tail/reader.go:46-51).
      lastRead = position ?? (this.model.tailFromEnd ? file.bytes : 0);
      index = file.lines.findIndex((l) => l.at >= lastRead);
    }
    return {
      container: c,
      file,
      index: index < 0 ? file.lines.length : index,
      lastRead,
      connectedAt: t,
      lastPut: t,
    };
  }

  /** Reads what a tailer can; false when the queue blocked it. */
  private read(instance: Instance, key: string, tailer: Tailer, t: number): boolean {
    for (;;) {
      if (tailer.index >= tailer.file.lines.length) {
        if (tailer.file === tailer.container.current) return true;
        // At the end of a rotated file, reopen the path: the newest file (tail/file.go:164-225;
        // through the API, the kubelet's follow: k8s.io/cri-client v0.33 pkg/logs/logs.go:369-385).
        tailer.file = tailer.container.current;
        tailer.index = 0;
        if (this.model.source === "files") tailer.lastRead = 0;
        continue;
      }
      const line = tailer.file.lines[tailer.index];
      if (this.model.source === "api" && line.ts < tailer.lastRead) {
        tailer.index++;
        continue;
      }
      if (!this.handOff(instance, line, t)) return false;
      tailer.index++;
      if (this.model.source === "api") {
        // Put as soon as the line is handed on (kubetail/tailer.go:297-299).
        tailer.lastRead = line.ts;
        instance.positions.set(key, line.ts);
      } else {
        tailer.lastRead = line.at + line.bytes;
        // At most once a sync period (file/tailer.go:247-256).
        if (t - tailer.lastPut >= syncSeconds) {
          instance.positions.set(key, tailer.lastRead);
          tailer.lastPut = t;
        }
      }
    }
  }

  /** Senders send, stopping pods drain, stopped pods come back. */
  deliver(t: number): void {
    for (const instance of this.instances) {
      if (!instance.alive) {
        if (instance.drainUntil !== undefined) {
          this.flushOpen(instance, t, true);
          this.send(instance, t);
          // What is left after drain_timeout is dropped (shards.go:290-316).
          if (t >= instance.drainUntil) {
            for (const batch of [instance.open, ...instance.queue]) this.dropped += batch.lines.length;
            instance.open = emptyBatch();
            instance.queue = [];
            instance.drainUntil = undefined;
          }
        }
        if (instance.restartAt === undefined || t < instance.restartAt) continue;
        this.restart(instance, t);
      }
      this.send(instance, t);
      this.flushOpen(instance, t);
    }
  }

  /** Each live target on its owner, read as far as the queue lets it. */
  readLogs(t: number): void {
    const apiDown = during(this.incidents, "apiServerDown", t);
    const apiBack = this.model.source === "api" && during(this.incidents, "apiServerDown", t - 1) && !apiDown;
    for (const instance of this.logs.filter((i) => i.alive)) {
      for (const [key, tailer] of [...instance.tailers]) {
        const c = tailer.container;
        const gone = c.deleted && t >= (c.spec.until ?? 0) + discoverySeconds;
        if (gone || this.owner(c) !== instance) {
          instance.tailers.delete(key);
          // A target leaving: its position is removed (kubetail.go:85-101; file/tailer.go:206-208).
          instance.positions.delete(key);
        } else if (
          apiBack ||
          (this.model.source === "api" && t - tailer.connectedAt >= streamLifetimeSeconds)
        ) {
          // An hour's stream is closed and opened again from the last read (kubetail/tailer.go:35,
          // 153); so is every stream once the API server is back.
          instance.tailers.set(key, this.openTailer(instance, c, t));
        }
      }
      for (const c of this.cluster.containers.values()) {
        if (c.deleted || instance.tailers.has(c.key) || this.owner(c) !== instance) continue;
        if (this.model.source === "api" && apiDown) continue;
        instance.tailers.set(c.key, this.openTailer(instance, c, t));
      }
      for (const [key, tailer] of instance.tailers) {
        // Through the API, nothing is served while it is down, nor once the pod is deleted.
        if (this.model.source === "api" && (apiDown || tailer.container.deleted)) continue;
        if (!this.read(instance, key, tailer, t)) break;
      }
      if (t % syncSeconds === 0) instance.saved = new Map(instance.positions);
    }
  }

  /** The events' owner lists what the API server still holds after its cursor, then watches. */
  readEvents(t: number): void {
    let watcher: Instance | undefined;
    for (const i of this.eventWatchers) {
      if (i.alive && (!watcher || hash(`${i.name}/events`) > hash(`${watcher.name}/events`))) watcher = i;
    }
    // With clustering and every namespace's key "", one live replica watches them all
    // (kubernetes_events.go:223-231); the others stop.
    for (const instance of this.eventWatchers) if (instance !== watcher) instance.events = undefined;
    if (!watcher || during(this.incidents, "apiServerDown", t)) return;
    const events = this.cluster.events;
    // The cursor is read once, as the watcher starts; events at or before it are skipped
    // (kubernetes_events/event_controller.go:57-64, 204-206).
    const held = events.findIndex((e) => e.at >= t - eventTtlSeconds);
    const state = (watcher.events ??= {
      initTimestamp: watcher.positions.get("events") ?? -Infinity,
      nextEvent: held < 0 ? events.length : held,
    });
    for (; state.nextEvent < events.length; state.nextEvent++) {
      const event = events[state.nextEvent];
      if (event.ts <= state.initTimestamp) continue;
      const line: Line = {
        id: event.id,
        container: "",
        stream: "events",
        ts: event.ts,
        text: `event ${event.id}`,
        bytes: 200,
        at: 0,
      };
      if (!this.handOff(watcher, line, t)) return;
      // Put on hand-off (event_controller.go:218-225).
      watcher.positions.set("events", event.ts);
    }
    if (t % syncSeconds === 0 && !this.logs.includes(watcher)) watcher.saved = new Map(watcher.positions);
  }
}

export function simulateDelivery(
  model: CollectorModel,
  lokiModel: LokiModel,
  world: WorldSpec,
  incidents: Incident[],
): Outcome {
  const cluster = new Cluster(world, incidents);
  const loki = new Loki(lokiModel, incidents);
  const collectors = new Collectors(model, cluster, loki, incidents, world.nodes);
  /** What happens later than its incident: a drained node's collector stopping with the node. */
  const scheduled: { at: number; run: (t: number) => void }[] = [];
  for (let t = 0; t < world.horizonSeconds; t++) {
    cluster.tick(t);
    for (const incident of incidents) {
      if ("at" in incident && incident.at === t) apply(incident, t);
    }
    for (const action of scheduled) if (action.at === t) action.run(t);
    collectors.deliver(t);
    collectors.readLogs(t);
    collectors.readEvents(t);
  }
  return counts();

  function apply(incident: Incident, t: number): void {
    if (incident.kind === "restart" || incident.kind === "kill") {
      const instance = collectors.instances.find((i) => i.name === incident.collector);
      if (instance?.alive) collectors.stop(instance, t, incident.kind === "restart", incident.downFor);
    } else if (incident.kind === "nodeDrain") {
      cluster.drain(incident.node, incident.replacementNode, t);
      if (model.source === "files") {
        // Drain skips DaemonSets: the node's collector stays until the node goes.
        const onNode = collectors.logs.find((i) => i.node === incident.node);
        if (onNode) scheduled.push({ at: t + 90, run: (at) => collectors.stop(onNode, at, true, Infinity) });
      } else {
        for (const replica of collectors.logs.filter((i) => i.alive && i.node === incident.node)) {
          collectors.stop(replica, t, true, 30);
          // Its claim follows it to a node of the same zone.
          replica.node = incident.replacementNode;
        }
      }
    }
  }

  function counts(): Outcome {
    const counted = world.horizonSeconds - world.settleSeconds;
    const byContainer: Outcome["byContainer"] = {};
    for (const c of cluster.containers.values())
      byContainer[c.spec.name] = { lost: 0, duplicated: 0, rotations: c.rotations };
    const lines = {
      produced: 0,
      lost: 0,
      duplicated: 0,
      refusedTooOld: loki.refusedTooOld,
      dropped: collectors.dropped,
    };
    for (const line of cluster.produced) {
      if (line.ts >= counted * 1e6) continue;
      lines.produced++;
      const copies = loki.stored.get(line.id) ?? 0;
      const row = byContainer[line.container];
      if (copies === 0) {
        lines.lost++;
        row.lost++;
      }
      if (copies > 1) {
        lines.duplicated += copies - 1;
        row.duplicated += copies - 1;
      }
    }
    const events = { produced: 0, lost: 0, duplicated: 0 };
    for (const event of model.events === "off" ? [] : cluster.events) {
      if (event.at >= counted) continue;
      events.produced++;
      const copies = loki.stored.get(event.id) ?? 0;
      if (copies === 0) events.lost++;
      if (copies > 1) events.duplicated += copies - 1;
    }
    return { lines, events, byContainer };
  }
}
