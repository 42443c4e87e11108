/**
 * A protoc/buf plugin that emits the files of a source folder unchanged, so
 * hand-written files that ship inside a generated folder (the Python helper
 * `hakuriver_client` and its pyproject.toml beside gen/python's stubs) are
 * made by `buf generate` too: gen/ is then exactly what buf generates, and
 * the drift check needs no exceptions. The folder is the `from=DIR` option
 * (relative to where buf runs); `__pycache__` folders are skipped.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, CodeGeneratorResponse_Feature, CodeGeneratorResponseSchema } from "@bufbuild/protobuf/wkt";

/** Every file under `dir`, as paths relative to `root`, in a stable order. */
function filesUnder(root: string, dir: string = root): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === "__pycache__" ? [] : filesUnder(root, path);
      return [relative(root, path)];
    });
}

/** The `from=DIR` option of the request's parameter. */
function sourceDir(parameter: string): string {
  const from = parameter.split(",").map((option) => option.trim()).find((option) => option.startsWith("from="));
  if (!from) throw new Error('protoc-gen-files needs the option "from=DIR" (the folder whose files to emit)');
  return from.slice("from=".length);
}

/** The response to `request`: the folder's files, or an error buf prints. */
function respond(parameter: string): MessageInitShape<typeof CodeGeneratorResponseSchema> {
  try {
    const dir = sourceDir(parameter);
    // Copying files works for any proto feature; saying so keeps buf from warning.
    const supportedFeatures = BigInt(CodeGeneratorResponse_Feature.PROTO3_OPTIONAL);
    return { supportedFeatures, file: filesUnder(dir).map((name) => ({ name, content: readFileSync(join(dir, name), "utf8") })) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

const request = fromBinary(CodeGeneratorRequestSchema, readFileSync(0));
process.stdout.write(toBinary(CodeGeneratorResponseSchema, create(CodeGeneratorResponseSchema, respond(request.parameter))));
