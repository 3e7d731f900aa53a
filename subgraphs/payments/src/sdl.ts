/** Prints the subgraph's SDL (used by `npm run compose`); needs no server and no database. */
import { printFederatedSdl } from '@supergraph/subgraph';
import { buildPaymentsSchema } from './schema';

buildPaymentsSchema().then((schema) => process.stdout.write(printFederatedSdl(schema)));
