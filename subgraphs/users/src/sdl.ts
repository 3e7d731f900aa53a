/** Prints the subgraph's SDL (used by `npm run compose`); needs no server and no database. */
import { printFederatedSdl } from '@supergraph/subgraph';
import { buildUsersSchema } from './schema';

buildUsersSchema().then((schema) => process.stdout.write(printFederatedSdl(schema)));
