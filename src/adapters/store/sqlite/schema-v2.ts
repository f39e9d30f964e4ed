// The SQLite schema, migration v2: audit stream heads move forward only (A3). Verification
// finds a stream's removed last records through its head; a head moved back with them would
// hide them, so the database refuses any update that does not raise a head's sequence, and
// any delete of a head. (A head is created by the first record of its stream.)
export const schemaVersion2 = `
CREATE TRIGGER audit_heads_forward_only BEFORE UPDATE ON audit_heads
WHEN NEW.sequence <= OLD.sequence OR NEW.tenant_id IS NOT OLD.tenant_id OR NEW.stream IS NOT OLD.stream
BEGIN SELECT RAISE(ABORT, 'audit_heads move forward only: a stream head is never moved back'); END;
CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
BEGIN SELECT RAISE(ABORT, 'audit_heads move forward only: a stream head is never deleted'); END;
`;
