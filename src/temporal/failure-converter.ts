import { DefaultFailureConverter } from '@temporalio/common';

/**
 * The failure converter when payloads are encrypted, loaded by path (the SDK's
 * `DataConverter.failureConverterPath`): by workers and clients, and bundled into the workflow
 * code, which converts the failures workflows throw. A failure's message and stack trace (an
 * e-mail address in a URL, a vendor's answer) move into a payload that the codec encrypts;
 * history keeps "Encoded failure" in their place. Workflow code imports this module, so it may
 * use nothing but the SDK.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

/** Present in a workflow bundle exactly when this module is bundled into it (see src/runtime/bundle.ts). */
export const ENCODED_FAILURES_MARK = 'jml-workflow-bundle: failure attributes encoded';
