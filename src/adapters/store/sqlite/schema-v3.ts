// The SQLite schema, migration v3: the verification scan reads each stream in commit order
// (A3, A4). Search lists records by `seq`, the commit order; within a stream that order must
// be the sequence order, and the scan reading streams by `seq` lets verification see a
// stream whose records were reordered by `seq` alone (which no hash covers).
export const schemaVersion3 = `
CREATE INDEX audit_records_by_stream_seq ON audit_records (tenant_id, stream, seq);
`;
