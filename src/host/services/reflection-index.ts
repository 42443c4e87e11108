/**
 * The descriptors server reflection answers from: every file of the served
 * services and their imports, by file name and by each fully qualified
 * symbol a client may ask for (services, methods, messages, fields,
 * oneofs, enums, enum values, extensions), as grpcurl and grpc_cli do.
 * Built once from the generated files' embedded descriptors.
 */
import { toBinary, type DescEnum, type DescExtension, type DescFile, type DescMessage, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

/** Files and symbols of the served services; each lookup answers with serialized FileDescriptorProtos. */
export interface ReflectionIndex {
  /** Fully qualified names of the served services, in the order given. */
  readonly serviceNames: readonly string[];
  /** The file named `fileName` ("hakuriver/v1/client.proto") and its transitive imports, the file first; undefined when unknown. */
  fileByName(fileName: string): Uint8Array[] | undefined;
  /** The file declaring `symbol` (no leading dot) and its transitive imports, the file first; undefined when unknown. */
  fileContainingSymbol(symbol: string): Uint8Array[] | undefined;
  /** The file declaring extension `number` of message `typeName`, with its imports; undefined when none. */
  fileContainingExtension(typeName: string, number: number): Uint8Array[] | undefined;
  /** Extension numbers declared for message `typeName` (often none); undefined when the message is unknown. */
  extensionNumbersOf(typeName: string): number[] | undefined;
}

/** Indexes the files of `services` and everything they import. */
export function reflectionIndex(services: readonly DescService[]): ReflectionIndex {
  const files = new Map<string, DescFile>();
  const symbols = new Map<string, DescFile>();
  const messages = new Set<string>();
  const extensions = new Map<string, DescExtension[]>();
  const bytes = new Map<DescFile, Uint8Array>();

  const addEnum = (file: DescFile, descEnum: DescEnum) => {
    symbols.set(descEnum.typeName, file);
    // Protobuf scopes enum values beside their enum, not inside it.
    const scope = descEnum.typeName.slice(0, Math.max(0, descEnum.typeName.lastIndexOf(".")));
    for (const value of descEnum.values) symbols.set(scope ? `${scope}.${value.name}` : value.name, file);
  };
  const addExtension = (file: DescFile, extension: DescExtension) => {
    symbols.set(extension.typeName, file);
    const known = extensions.get(extension.extendee.typeName) ?? [];
    extensions.set(extension.extendee.typeName, [...known, extension]);
  };
  const addMessage = (file: DescFile, message: DescMessage) => {
    symbols.set(message.typeName, file);
    messages.add(message.typeName);
    for (const field of message.fields) symbols.set(`${message.typeName}.${field.name}`, file);
    for (const oneof of message.oneofs) symbols.set(`${message.typeName}.${oneof.name}`, file);
    for (const nested of message.nestedMessages) addMessage(file, nested);
    for (const nested of message.nestedEnums) addEnum(file, nested);
    for (const nested of message.nestedExtensions) addExtension(file, nested);
  };
  const addFile = (file: DescFile) => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    for (const dependency of file.dependencies) addFile(dependency);
    for (const message of file.messages) addMessage(file, message);
    for (const descEnum of file.enums) addEnum(file, descEnum);
    for (const extension of file.extensions) addExtension(file, extension);
    for (const service of file.services) {
      symbols.set(service.typeName, file);
      for (const method of service.methods) symbols.set(`${service.typeName}.${method.name}`, file);
    }
  };
  for (const service of services) addFile(service.file);

  const serialized = (file: DescFile) => {
    let encoded = bytes.get(file);
    if (!encoded) bytes.set(file, (encoded = toBinary(FileDescriptorProtoSchema, file.proto)));
    return encoded;
  };
  /** The file, then each file it imports (directly or not), once each. */
  const withImports = (file: DescFile): Uint8Array[] => {
    const seen = new Set<DescFile>();
    const visit = (each: DescFile) => {
      if (seen.has(each)) return;
      seen.add(each);
      for (const dependency of each.dependencies) visit(dependency);
    };
    visit(file);
    return [...seen].map(serialized);
  };
  const answer = (file: DescFile | undefined) => (file ? withImports(file) : undefined);

  return {
    serviceNames: services.map((service) => service.typeName),
    fileByName: (fileName) => answer(files.get(fileName)),
    fileContainingSymbol: (symbol) => answer(symbols.get(symbol.replace(/^\./, ""))),
    fileContainingExtension: (typeName, number) => answer(extensions.get(typeName.replace(/^\./, ""))?.find((e) => e.number === number)?.file),
    extensionNumbersOf: (typeName) => {
      const name = typeName.replace(/^\./, "");
      return messages.has(name) ? (extensions.get(name) ?? []).map((e) => e.number) : undefined;
    },
  };
}
