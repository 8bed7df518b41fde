-- The W3C trace context of the request or webhook that created the investigation: its launch and
-- its worker continue that trace.
ALTER TABLE investigations ADD COLUMN traceparent varchar(55);
