import { didYouMean } from '../../fhir/did-you-mean.ts';
import { resourceTypes } from '../../fhir/model/type-info.ts';
import { createSearchModule } from '../../fhir/search/module.ts';
import { ResourceStore } from '../../fhir/storage/resource-store.ts';
import { withAccessFacts } from '../../access/facts/index-facts.ts';
import type { OperatorCommand } from '../command.ts';
import { InputError, optionalText, record, texts } from './input.ts';

export interface ReindexInput {
  resourceType?: string;
  /** The SearchParameter files of the CLI's environment (SEARCH_PARAMETER_FILES). */
  searchParameterFiles: string[];
}

const BATCH = 500;

/**
 * `npm run reindex [-- ResourceType]`: recomputes the search index of every live resource (or of
 * one type) with the current SearchParameters. Small transactions, so a server can keep running;
 * a search during the run may miss resources not yet re-indexed for a new parameter.
 */
export const reindexCommand: OperatorCommand<ReindexInput> = {
  name: 'reindex',
  needs: 'database',
  parse(value) {
    const input = record(value);
    const resourceType = optionalText(input.resourceType, 'resourceType');
    return {
      ...(resourceType ? { resourceType } : {}),
      searchParameterFiles: texts(input.searchParameterFiles ?? [], 'searchParameterFiles'),
    };
  },
  async execute({ resourceType, searchParameterFiles }, { config, db, out }) {
    // A running server searches with the parameters it loaded at its start: indexing with others
    // would leave its index and its searches disagreeing.
    if (searchParameterFiles.join(',') !== config.searchParameterFiles.join(',')) {
      throw new InputError(
        `the server was started with SEARCH_PARAMETER_FILES=${config.searchParameterFiles.join(',') || '(none)'}, ` +
          `this re-index asks for ${searchParameterFiles.join(',') || '(none)'}: restart the server with the new files, then re-index`,
      );
    }
    if (resourceType && !resourceTypes.has(resourceType)) {
      throw new InputError(`unknown resource type ${resourceType}${didYouMean(resourceType, resourceTypes)}`);
    }
    const { indexer } = createSearchModule(config.searchParameterFiles);
    const store = new ResourceStore(db.knex, withAccessFacts(indexer));
    const total = await store.countLive(resourceType);
    const what = resourceType ?? 'all types';
    const progress = out.progress(`re-index ${what}`, total);
    const started = Date.now();
    let done = 0;
    let after: string | undefined = '0';
    try {
      while (after !== undefined) {
        const batch: { lastRid: string; count: number } | undefined = await store.reindexBatch(
          after,
          BATCH,
          resourceType,
        );
        after = batch?.lastRid;
        done += batch?.count ?? 0;
        progress.update(done, Math.max(total, done));
      }
    } finally {
      progress.stop();
    }
    const seconds = (Date.now() - started) / 1000;
    out.result(
      `re-index done (${db.kind}, ${what}): ${done.toLocaleString('en')} resources in ${seconds.toFixed(1)} s` +
        (seconds > 0 ? ` (${Math.round(done / seconds).toLocaleString('en')}/s)` : ''),
    );
    return 0;
  },
};
