import { requestRefused } from '@supergraph/server';
import { checkLimits, type OperationLimits } from '../limits';
import { unstorableText } from '../text-input';
import { analyseOperation } from './operation-analysis';
import type { OperationRequest, Stage } from './operation-request';

/**
 * Stage 7: depth, aliases, root fields, cost, argument nesting, storable argument text and finite floats, from the
 * one walk over the operation (cached per operation; re-walked per request only when list sizes come
 * from variables).
 * For a subscription the selection is what every event resolves, so the limits hold per event.
 */
export function operationLimits(limits: OperationLimits): Stage {
  return {
    name: 'operation limits',
    run(request: OperationRequest) {
      const state = request.schemaState!;
      const operation = request.operation!;
      let analysis = state.analyses.get(operation);
      if (!analysis) {
        analysis = analyseOperation(state.apiSchema, state.policy, request.document!, operation, request.variables);
        state.analyses.set(operation, analysis);
      } else if (analysis.costFromVariables) {
        analysis = analyseOperation(state.apiSchema, state.policy, request.document!, operation, request.variables);
      }
      const refused = checkLimits(analysis, limits);
      if (refused) throw refused;
      if (analysis.unstorableLiteral) throw unstorableText('Argument literals');
      if (analysis.infiniteFloatLiteral) throw requestRefused('BAD_USER_INPUT', 'A Float literal is too large to represent as a finite double');
      request.analysis = analysis;
    },
  };
}
