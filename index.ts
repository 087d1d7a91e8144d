/**
 * The package's source entry: Pulumi's component analyzer starts here when the package is added to
 * another program with `pulumi package add`. npm consumers get the compiled `dist/components`.
 */
export * from "./components";
