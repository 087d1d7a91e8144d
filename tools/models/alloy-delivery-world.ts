/**
 * The world a collector reads and writes to, for the delivery model (`alloy-delivery.ts`): the
 * kubelet's container logs and rotations, the API server's events, and Loki's answers to a push,
 * as the kubelet and Loki v3.7.6 behave. A line's timestamp is in microseconds, as Alloy keeps
 * positions (`Positions.Put(..., UnixMicro())`: alloy@v1.18.1 internal/component/loki/source/
 * kubernetes/kubetail/tailer.go:299); its position in a file is its first byte.
 */

/** Where Alloy reads pod logs: through the API server, or the node's files. */
export type SourceKind = "api" | "files";

/** The collector as its values configure it. */
export interface CollectorModel {
  source: SourceKind;
  /** API replicas (clustered when more than one); a files collector runs one per node. */
  replicas: number;
  /** Positions and cursors on a volume or the node (true), or in the container (false). */
  statePersists: boolean;
  /** A file without a position starts at its end (`tail_from_end`). Files only. */
  tailFromEnd: boolean;
  /** `max_backoff_retries`: attempts before a batch is dropped; 0 tries forever. */
  maxBackoffRetries: number;
  /** Events: on a collector of their own (one replica), or on the pod-log collector's replicas. */
  events: "own" | "clustered-on-logs" | "off";
  /** Seconds the kubelet waits before killing a stopping collector. */
  stopGraceSeconds: number;
}

/** Loki as its limits configure it. */
export interface LokiModel {
  /** How far behind its stream's newest line Loki takes a line (max_chunk_age / 2), seconds. */
  outOfOrderWindowSeconds: number;
  /** The tenant's ingestion rate, bytes a second, and its burst, bytes. */
  rateBytesPerSecond: number;
  burstBytes: number;
}

/** A container's log, as the kubelet writes and rotates it. */
export interface ContainerSpec {
  name: string;
  /** Loki stream: containers of one component share one (the pod is not a label). */
  stream: string;
  node: string;
  /** The lines it writes in a given second. */
  lines: (second: number) => string[];
  /** Seconds it runs from and until (its pod deleted then). */
  from?: number;
  until?: number;
}

export interface WorldSpec {
  containers: ContainerSpec[];
  nodes: string[];
  /** One Kubernetes event every this many seconds, in the collected namespaces. */
  eventEverySeconds: number;
  /** The kubelet's containerLogMaxSize, bytes. */
  containerLogMaxBytes: number;
  /** Seconds simulated; lines and events of the last `settleSeconds` are not counted. */
  horizonSeconds: number;
  settleSeconds: number;
}

export type Incident =
  | { kind: "restart"; collector: string; at: number; downFor: number }
  | { kind: "kill"; collector: string; at: number; downFor: number }
  | { kind: "lokiDown"; at: number; for: number }
  | { kind: "loki5xx"; at: number; for: number }
  | { kind: "apiServerDown"; at: number; for: number }
  | { kind: "nodeDrain"; node: string; at: number; replacementNode: string }
  | { kind: "containerStart"; container: ContainerSpec };

export interface Outcome {
  lines: { produced: number; lost: number; duplicated: number; refusedTooOld: number; dropped: number };
  events: { produced: number; lost: number; duplicated: number };
  /** Per container, lines lost and duplicated, and how often the kubelet rotated its log. */
  byContainer: Record<string, { lost: number; duplicated: number; rotations: number }>;
}

/** A container's line, or an event (container ""), as it travels. */
export interface Line {
  id: number;
  container: string;
  stream: string;
  /** Microseconds. */
  ts: number;
  text: string;
  bytes: number;
  /** The file's byte where the line starts. */
  at: number;
}

export interface LogFile {
  lines: Line[];
  bytes: number;
}

/**
 * A container's files: the kubelet writes `<restart>.log` and, at containerLogMaxSize, renames it
 * and starts a new one (pkg/kubelet/logs/container_log_manager.go rotateLatestLog); a reader that
 * holds the renamed file reads it to its end.
 */
export interface ContainerState {
  spec: ContainerSpec;
  /** Unique per pod: the key of its positions (pod UID and container name). */
  key: string;
  current: LogFile;
  rotations: number;
  deleted: boolean;
}

/** Whether an incident of `kind` with a length is under way at `t`. */
export function during(incidents: readonly Incident[], kind: Incident["kind"], t: number): boolean {
  return incidents.some((i) => i.kind === kind && "for" in i && t >= i.at && t < i.at + i.for);
}

/** The kubelet's logs and the API server's events, second by second. */
export class Cluster {
  readonly containers = new Map<string, ContainerState>();
  readonly specs: ContainerSpec[];
  readonly produced: Line[] = [];
  readonly events: { id: number; ts: number; at: number }[] = [];
  private nextId = 0;

  constructor(
    private readonly world: WorldSpec,
    private readonly incidents: readonly Incident[],
  ) {
    this.specs = [
      ...world.containers,
      ...incidents.flatMap((i) => (i.kind === "containerStart" ? [i.container] : [])),
    ];
  }

  /** Containers write, the kubelet rotates (checked every 10 s), the API server records events. */
  tick(t: number): void {
    for (const spec of this.specs) {
      if ((spec.from ?? 0) === t) {
        this.containers.set(spec.name, {
          spec,
          key: spec.name,
          current: { lines: [], bytes: 0 },
          rotations: 0,
          deleted: false,
        });
      }
      const c = this.containers.get(spec.name);
      if (!c || c.deleted) continue;
      if (spec.until !== undefined && t >= spec.until) {
        c.deleted = true;
        continue;
      }
      this.write(c, t);
      if (t % 10 === 0 && c.current.bytes >= this.world.containerLogMaxBytes) {
        c.current = { lines: [], bytes: 0 };
        c.rotations++;
      }
    }
    // An event at a second: its LastTimestamp's precision. None while the API server is down.
    if (t % this.world.eventEverySeconds === 0 && !during(this.incidents, "apiServerDown", t)) {
      this.events.push({ id: this.nextId++, ts: t * 1e6, at: t });
    }
  }

  private write(c: ContainerState, t: number): void {
    const texts = c.spec.lines(t);
    const offset = this.specs.indexOf(c.spec);
    texts.forEach((text, k) => {
      const line: Line = {
        id: this.nextId++,
        container: c.spec.name,
        stream: c.spec.stream,
        // Spread over the second; two containers never stamp the same microsecond, so that Loki's
        // duplicate check (the same timestamp and line) meets only lines sent twice.
        ts: t * 1e6 + Math.floor((k * 1e6) / (texts.length + 1)) + offset,
        text,
        bytes: text.length + 1,
        at: c.current.bytes,
      };
      c.current.lines.push(line);
      c.current.bytes += line.bytes;
      this.produced.push(line);
    });
  }

  /**
   * A drained node: its pods are evicted (deleted after their 30 s of grace) and start again on
   * another node.
   */
  drain(node: string, replacementNode: string, t: number): void {
    for (const spec of this.specs.filter((s) => s.node === node && (s.until ?? Infinity) > t)) {
      spec.until = t + 30;
      this.specs.push({
        ...spec,
        name: `${spec.name}'`,
        node: replacementNode,
        from: t + 40,
        until: undefined,
      });
    }
  }
}

/** Loki: what it stores of each push, how often, and what it refuses. */
export class Loki {
  readonly stored = new Map<number, number>();
  refusedTooOld = 0;
  private readonly newest = new Map<string, number>();
  private readonly last = new Map<string, { ts: number; text: string }>();
  private tokens: number;
  private tokensAt = 0;

  constructor(
    private readonly model: LokiModel,
    private readonly incidents: readonly Incident[],
  ) {
    this.tokens = model.burstBytes;
  }

  /** Loki's answer to a push: stored lines, a refusal (400), or a retryable failure. */
  push(lines: readonly Line[], bytes: number, t: number): "ok" | "retry" | "refused" {
    if (during(this.incidents, "lokiDown", t) || during(this.incidents, "loki5xx", t)) return "retry";
    this.tokens = Math.min(
      this.model.burstBytes,
      this.tokens + (t - this.tokensAt) * this.model.rateBytesPerSecond,
    );
    this.tokensAt = t;
    // The whole request is refused above the tenant's rate, before anything is written
    // (loki@v3.7.6 pkg/distributor/distributor.go:793-799): a 429, which Alloy retries.
    if (this.tokens < bytes) return "retry";
    this.tokens -= bytes;
    let tooOld = false;
    for (const line of lines) {
      const top = this.newest.get(line.stream) ?? 0;
      // Further behind the stream's newest than the window: a 400 for that line; the rest is
      // written (pkg/ingester/stream.go:441-449; distributor.go:781-782, 928-929).
      if (line.ts < top - this.model.outOfOrderWindowSeconds * 1e6) {
        this.refusedTooOld++;
        tooOld = true;
        continue;
      }
      // The same timestamp and line as the stream's last: dropped silently (stream.go:414-427).
      const previous = this.last.get(line.stream);
      if (previous && previous.ts === line.ts && previous.text === line.text) continue;
      this.stored.set(line.id, (this.stored.get(line.id) ?? 0) + 1);
      this.newest.set(line.stream, Math.max(top, line.ts));
      this.last.set(line.stream, { ts: line.ts, text: line.text });
    }
    return tooOld ? "refused" : "ok";
  }
}
