/**
 * Counts every RPC by service, method and result code for /metrics. It is
 * the outermost interceptor, so it sees the code the caller gets (after the
 * error mapping and the auth check). A unary call is counted when it
 * answers; a stream when it ends: `ok` when it finished, its error's code
 * when it failed, `canceled` when the caller went away first.
 */
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/** Where the interceptor reports each ended call. */
export interface RpcCounter {
  rpcEnded(service: string, method: string, code: string): void;
}

/** A Connect code as the `code` label names it: `ok`, or snake case (`invalid_argument`), as the Connect protocol spells it. */
export function codeLabel(code: Code | undefined): string {
  if (code === undefined) return "ok";
  const name = Code[code] ?? "Unknown";
  return name.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

async function* countedStream<T>(stream: AsyncIterable<T>, signal: AbortSignal, done: (code: string) => void): AsyncIterable<T> {
  let code: string | undefined;
  try {
    yield* stream;
  } catch (error) {
    code = codeLabel(ConnectError.from(error).code);
    throw error;
  } finally {
    // Finished without an error, or stopped early because the caller left.
    done(code ?? (signal.aborted ? codeLabel(Code.Canceled) : "ok"));
  }
}

/** The counting interceptor; see the file comment. */
export function rpcMetrics(counter: RpcCounter): Interceptor {
  return (next) => async (request) => {
    const service = request.service.typeName;
    const method = request.method.name;
    let response;
    try {
      response = await next(request);
    } catch (error) {
      counter.rpcEnded(service, method, codeLabel(ConnectError.from(error).code));
      throw error;
    }
    if (!response.stream) {
      counter.rpcEnded(service, method, "ok");
      return response;
    }
    return { ...response, message: countedStream(response.message, request.signal, (code) => counter.rpcEnded(service, method, code)) };
  };
}
