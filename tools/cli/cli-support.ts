/**
 * How every command-line tool ends: a usage mistake or a config problem prints its message alone
 * (the message is the whole story, a stack trace only noise); anything else prints in full.
 */
import * as pulumi from "@pulumi/pulumi";
import { ProgramRunError } from "../runtime/program-runner";
import { UsageError } from "./stack-config";

/** A tool's entry: its arguments in, its exit code out. */
export type Cli = (argv: string[]) => Promise<number>;

export function runCli(cli: Cli, argv: string[] = process.argv.slice(2)): void {
  cli(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const cause = error instanceof ProgramRunError ? error.cause : error;
      const expected = cause instanceof pulumi.RunError || cause instanceof UsageError;
      console.error(expected ? (cause as Error).message : cause);
      process.exitCode = 1;
    },
  );
}
