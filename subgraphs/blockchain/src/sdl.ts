/** Prints the subgraph's SDL (used by `npm run compose`); needs no server, chain or database. */
import { printFederatedSdl } from '@supergraph/subgraph';
import { buildBlockchainSchema } from './schema';

buildBlockchainSchema().then((schema) => process.stdout.write(printFederatedSdl(schema)));
