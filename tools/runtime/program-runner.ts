/**
 * Runs the real program (`infra/index.ts`, exactly what `pulumi up` runs) in-process on Pulumi's
 * mock runtime and records what it registers. Used by the render, the tests and the benchmark.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { projectName } from "../../infra/config";
import { secretPlaceholder } from "../../components/core";

export { secretPlaceholder };

export interface RecordedResource {
  /** Pulumi type token, e.g. `kubernetes:helm.sh/v3:Release`. */
  type: string;
  /** Logical name. */
  name: string;
  /** The parent's `type::name`, or null for the root stack. */
  parent: string | null;
  /** Inputs as the engine receives them; a top-level input holding any secret is `"[secret]"`. */
  inputs: Record<string, unknown>;
  /** Whether `pulumi destroy` must first lift protection (own or inherited from the parent). */
  protect: boolean;
  /** Whether `pulumi destroy` leaves the cloud resource in place; recorded where set. */
  retainOnDelete?: true;
  /**
   * The provider a custom resource is managed through, as `type::name` (`pulumi:providers:
   * kubernetes::cluster`; `...::default` for the package's default provider); null for components.
   */
  provider: string | null;
}

export interface ProgramRun {
  project: string;
  stack: string;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
}

export interface RunOptions {
  stack: string;
  /** Raw config as the engine passes it: `<project>:<key>` to string (JSON for structured values). */
  config: Record<string, string>;
  /** Keys of `config` that were set with `--secret`. */
  secretKeys?: readonly string[];
}

/** infra/index, compiled or not: whichever extension the running code itself has. */
const programEntry = require.resolve(path.resolve(__dirname, "..", "..", "infra", "index"));

/**
 * The property a provider fills with an auto-name when the program leaves it unset, by type; the
 * engine hands the name on to the policy pack and the plan as an input, as Check returned it.
 */
const autoNamed: Record<string, string> = { "aws:s3/bucket:Bucket": "bucket", "aws:iam/role:Role": "name" };
const autoName = (name: string) => `${name}-xxxxxxx`;

/** A resource's inputs as the provider's Check returns them: auto-named where the type is. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function checkedInputs(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
  const property = autoNamed[type];
  return property === undefined || inputs[property] !== undefined
    ? inputs
    : { ...inputs, [property]: autoName(name) };
}

/**
 * Providers answer with their inputs as state. Where a provider computes an output the program
 * reads, the mock computes a stand-in: random passwords, which only ever travel as secrets; AWS
 * auto-names and ARNs, in their real shape, with "xxxxxxx" where Pulumi's random suffix goes and
 * the account the AWS provider is restricted to.
 */
function mocks(): pulumi.runtime.Mocks {
  /** The account of each AWS provider, by the id the mock gave it. */
  const accounts = new Map<string, string>();
  return {
    newResource: (args) => {
      const id = `${args.name}-id`;
      const inputs = checkedInputs(args.type, args.name, args.inputs);
      const account = accounts.get(args.provider?.split("::").pop() ?? "") ?? "000000000000";
      switch (args.type) {
        case "random:index/randomPassword:RandomPassword":
          return { id, state: { ...inputs, result: `mock-password-${args.name}` } };
        case "pulumi:providers:aws":
          // A provider's structured inputs reach its plugin as JSON text.
          accounts.set(id, (JSON.parse(inputs.allowedAccountIds ?? "[]") as string[])[0] ?? "000000000000");
          return { id, state: inputs };
        case "aws:s3/bucket:Bucket":
          return { id: inputs.bucket, state: { ...inputs, arn: `arn:aws:s3:::${inputs.bucket}` } };
        case "aws:iam/role:Role":
          return {
            id: inputs.name,
            state: { ...inputs, arn: `arn:aws:iam::${account}:role/${inputs.name}` },
          };
        case "aws:kms/key:Key": {
          const keyId = "00000000-0000-4000-8000-000000000000";
          return {
            id: keyId,
            state: { ...inputs, keyId, arn: `arn:aws:kms:${inputs.region}:${account}:key/${keyId}` },
          };
        }
        default:
          return { id, state: inputs };
      }
    },
    call: (args) => args.inputs,
  };
}

/**
 * Raised when the program (or body) throws: carries what had been registered by then, so tests can
 * prove that invalid config registers nothing. Its message is the original one.
 */
export class ProgramRunError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly registered: string[],
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** The program's exported function, as `pulumi up` calls it. */
export function loadProgram(): () => Promise<pulumi.Inputs> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(programEntry) as () => Promise<pulumi.Inputs>;
}

/** Runs the real program entry for a stack. */
export function runProgram(options: RunOptions): Promise<ProgramRun> {
  return runWithMocks(options, () => loadProgram()());
}

/**
 * Runs `body` as a Pulumi program on the mock runtime and records every resource it registers,
 * in construction order, with resolved inputs and effective `protect`.
 */
export async function runWithMocks(options: RunOptions, body: () => unknown): Promise<ProgramRun> {
  await pulumi.runtime.setMocks(mocks(), projectName, options.stack, false);
  pulumi.runtime.setAllConfig(options.config, [...(options.secretKeys ?? [])]);

  const stackKey = `pulumi:pulumi:Stack::${projectName}-${options.stack}`;
  const pending: Promise<RecordedResource>[] = [];
  /** Each resource's key, effective protect, and the providers its children inherit, by package. */
  const keys = new Map<pulumi.Resource, { key: string; protect: boolean; providers: Map<string, string> }>();

  // The body's error is caught inside the stack's init and rethrown after it: thrown through the
  // root Stack it would also surface as unhandled rejections of the Stack's derived outputs.
  let failure: { error: unknown } | undefined;
  // An Output that fails (an argument found invalid once known) rejects the registrations waiting
  // on it, unhandled: Pulumi's own runner owns those while the program runs, reports the first and
  // fails the program, and so does this one.
  const unhandled = (error: unknown) => {
    failure ??= { error };
  };
  const previousHandlers = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", unhandled);
  // The outputs as the program returned them: the stack's own copy has lost which ones are secret.
  let returned: pulumi.Inputs | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    const stackResource = pulumi.runtime.getStackResource();
    if (stackResource) keys.set(stackResource, { key: stackKey, protect: false, providers: new Map() });
    pulumi.runtime.registerStackTransformation((args) => {
      const parent = keys.get(args.opts.parent ?? stackResource!);
      const protect = args.opts.protect ?? parent?.protect ?? false;
      const key = `${args.type}::${args.name}`;
      // As the engine resolves them: the resource's own, else inherited from its parent by package.
      const providers = new Map(parent?.providers);
      const given = (args.opts as pulumi.ComponentResourceOptions).providers;
      for (const provider of Array.isArray(given) ? given : Object.values(given ?? {})) {
        const entry = keys.get(provider);
        if (entry) providers.set(packageOf(entry.key.replace(/^pulumi:providers:/, "")), entry.key);
      }
      keys.set(args.resource, { key, protect, providers });
      const custom =
        args.resource instanceof pulumi.CustomResource && !args.type.startsWith("pulumi:providers:");
      const own = (args.opts as pulumi.CustomResourceOptions).provider;
      const provider = !custom
        ? null
        : ((own && keys.get(own)?.key) ??
          providers.get(packageOf(args.type)) ??
          `pulumi:providers:${packageOf(args.type)}::default`);
      pending.push(
        resolveInputs(args.props).then((inputs) => ({
          type: args.type,
          name: args.name,
          parent: parent?.key ?? stackKey,
          inputs: custom ? checkedInputs(args.type, args.name, inputs) : inputs,
          protect,
          ...(args.opts.retainOnDelete ? { retainOnDelete: true as const } : {}),
          provider,
        })),
      );
      return undefined;
    });
    try {
      returned = (await body()) as pulumi.Inputs | undefined;
      return returned;
    } catch (error) {
      failure = { error };
      return undefined;
    }
  });
  // As the real runner does before it exits: let every outstanding registration finish, so that none
  // lands on the next run's mock monitor.
  await pulumi.runtime.disconnect();
  // Rejections are reported as unhandled only after the turn they happen in.
  await new Promise((resolve) => setImmediate(resolve));
  process.off("unhandledRejection", unhandled);
  for (const handler of previousHandlers) process.on("unhandledRejection", handler);
  if (failure) {
    const registered = [...keys.values()].map((entry) => entry.key).filter((key) => key !== stackKey);
    throw new ProgramRunError(failure.error, registered);
  }

  const stack: RecordedResource = {
    type: "pulumi:pulumi:Stack",
    name: `${projectName}-${options.stack}`,
    parent: null,
    inputs: {},
    protect: false,
    provider: null,
  };
  return {
    project: projectName,
    stack: options.stack,
    resources: [stack, ...(await Promise.all(pending))],
    outputs: await resolveInputs(returned ?? {}),
  };
}

/** The package of a type token: `kubernetes` of `kubernetes:core/v1:Namespace`. */
const packageOf = (type: string) => type.split(":")[0];

/** Resolves each top-level input; one holding a secret anywhere becomes the placeholder, as in the engine. */
async function resolveInputs(props: pulumi.Inputs): Promise<Record<string, unknown>> {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    const output = pulumi.output(value);
    const secret = await pulumi.isSecret(output);
    resolved[key] = secret ? secretPlaceholder : await valueOf(output);
  }
  return resolved;
}

/** The value an Output settles to; rejected, rather than never settled, when the Output fails. */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    output.apply((value) => resolve(value));
    // An Output's own promise is how Pulumi's runtime awaits it; apply() never runs on a failure.
    (output as unknown as { promise(): Promise<T> }).promise().catch(reject);
  });
}
