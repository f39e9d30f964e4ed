// The PostgreSQL schema, continued: migration v11, audit stream heads move forward only (A3).
// Verification finds a stream's removed last records through its head; a head moved back
// with them would hide them. Every write of the store raises a head (the batch functions
// update a head from the sequence they chained onto, or insert a new stream's), so the
// database refuses any update that does not raise a head's sequence, and any delete or
// truncate of heads.
export const schemaVersion11 = `
CREATE FUNCTION contra_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'audit_heads move forward only: a stream head is never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.sequence <= OLD.sequence OR (NEW.tenant_id, NEW.stream) IS DISTINCT FROM (OLD.tenant_id, OLD.stream) THEN
    RAISE EXCEPTION 'audit_heads move forward only: a stream head is never moved back' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_heads_forward_only BEFORE UPDATE OR DELETE ON audit_heads FOR EACH ROW EXECUTE FUNCTION contra_audit_head_forward();
CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON audit_heads FOR EACH STATEMENT EXECUTE FUNCTION contra_audit_head_forward();
`;
