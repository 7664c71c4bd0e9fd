import { SearchEngine } from './engine.ts';
import { createIndexer, type Indexer } from './extract/indexer.ts';
import {
  defaultSearchParameterFiles,
  loadCompartmentDefinition,
  loadSearchParameters,
  patientCompartmentAdditionsFile,
  patientCompartmentFile,
  SearchParamRegistry,
} from './registry/registry.ts';

export interface SearchModule {
  registry: SearchParamRegistry;
  indexer: Indexer;
  engine: SearchEngine;
}

/**
 * The search parameters (official, ours, then any extra Bundles the operator configured),
 * the indexer that the store runs on every write, and the engine that plans searches. Used
 * by the server and by the re-index command, so both index alike.
 */
export function createSearchModule(extraFiles: string[] = []): SearchModule {
  const files = [
    ...defaultSearchParameterFiles,
    ...extraFiles.map((f) => new URL(f, `file://${process.cwd()}/`)),
  ];
  const registry = new SearchParamRegistry(loadSearchParameters(files));
  const compartments = [loadCompartmentDefinition(patientCompartmentFile, patientCompartmentAdditionsFile)];
  const indexer = createIndexer(registry, compartments);
  return { registry, indexer, engine: new SearchEngine(registry, indexer, compartments) };
}
