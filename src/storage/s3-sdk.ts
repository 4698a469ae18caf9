// The AWS SDK's S3 client, loaded the first time an S3 store is used rather than when the module
// graph is: most processes never talk to S3 (the default backend is local disk), and the SDK is
// the largest library Vigil loads — about 12 MB of a process's memory (PSS, measured alone), a
// tenth of a 100-camera recorder's. It is CommonJS, so a synchronous require serves.
import { createRequire } from 'node:module';
import type * as S3 from '@aws-sdk/client-s3';

let sdk: typeof S3 | undefined;

export function s3Sdk(): typeof S3 {
  return (sdk ??= createRequire(import.meta.url)('@aws-sdk/client-s3') as typeof S3);
}
