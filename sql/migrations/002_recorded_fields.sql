-- Schema version 2: fields whose absence must not read as "no" (kpis.md "records X").
--   agent_requested  the customer asked for a person in an IVR / bot session, or the contact was
--                    queued or offered to an agent; NULL = the source does not record it
--   ticket           the contact comes from a ticketing or case system (helpdesk, CRM), whatever its
--                    channel; false = a call or chat record from telephony; NULL = not known (a
--                    generic mapping that does not say)
ALTER TABLE contacts ADD COLUMN agent_requested BOOLEAN;
ALTER TABLE contacts ADD COLUMN ticket BOOLEAN;
-- Back-fill from the kind of connector that wrote each row.
UPDATE contacts SET ticket = (l.kind = 'crm')
FROM import_log l
WHERE l.import_id = contacts.import_id AND l.kind IN ('crm', 'telephony');
