-- The database queue's claim reads due deliveries in (next_attempt_at, id) order and expired
-- leases in lease_until order. Partial indexes hold only the rows a claim can take, so each
-- claim reads just the rows it takes however many deliveries there are (the index it replaces
-- left ties on next_attempt_at, which every delivery of one Notify shares, to a sort of all of
-- them), and a delivery that is done leaves them.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX deliveries_leased ON deliveries (lease_until, id) WHERE status = 'sending';
