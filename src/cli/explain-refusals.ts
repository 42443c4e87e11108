/**
 * A transport wrapper that turns the Host's UNAUTHENTICATED answers into
 * the fix a person needs (which credential was sent, and how to get one),
 * for every command, unary and streaming alike.
 */
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { noCredentialMessage, refusedCredentialNote, type ClientCredential } from "./client-credential.js";

/** The error to show for `error`: UNAUTHENTICATED rewritten, anything else as it is. */
export function explainRefusal(error: unknown, credential: ClientCredential, hostAddress: string): unknown {
  if (!(error instanceof ConnectError) || error.code !== Code.Unauthenticated) return error;
  const message = credential.source === "none" ? noCredentialMessage(hostAddress) : `${error.rawMessage} (${refusedCredentialNote(credential, hostAddress)})`;
  const explained = new ConnectError(message, error.code, error.metadata, undefined, error);
  // Keep the Host's details (its reason) for whoever reads them after this rewrite.
  explained.details = error.details;
  return explained;
}

async function* explainStream<T>(messages: AsyncIterable<T>, explain: (error: unknown) => unknown): AsyncGenerator<T> {
  try {
    yield* messages;
  } catch (error) {
    throw explain(error);
  }
}

/** `transport`, with refusals explained by {@link explainRefusal}. */
export function explainRefusals(transport: Transport, credential: ClientCredential, hostAddress: string): Transport {
  const explain = (error: unknown) => explainRefusal(error, credential, hostAddress);
  return {
    async unary(...args) {
      try {
        return await transport.unary(...args);
      } catch (error) {
        throw explain(error);
      }
    },
    async stream(...args) {
      try {
        const response = await transport.stream(...args);
        return { ...response, message: explainStream(response.message, explain) };
      } catch (error) {
        throw explain(error);
      }
    },
  };
}
