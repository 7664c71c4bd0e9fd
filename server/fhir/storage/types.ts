export type Resource = { resourceType: string; id?: string; meta?: Meta } & Record<string, unknown>;

export interface Meta {
  versionId?: string;
  lastUpdated?: string;
  [key: string]: unknown;
}

/** One stored version of a resource. `content` is the JSON text exactly as stored. */
export interface StoredVersion {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  /** Absent for deletions. */
  content?: string;
}

export interface HistoryEntry extends StoredVersion {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Global write order; the paging cursor of history bundles. */
  vid: string;
}

export interface HistoryQuery {
  resourceType?: string;
  id?: string;
  since?: Date;
  at?: Date;
  /** Only versions written before this vid (the paging cursor). */
  beforeVid?: string;
  /** Types left out (those the caller may never see), filtered in the statement so paging holds. */
  excludeTypes?: string[];
  count: number;
}

export interface NewVersion {
  resourceType: string;
  id: string;
  method: HistoryEntry['method'];
  /** Absent for deletions. */
  resource?: Resource;
}
