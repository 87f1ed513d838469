-- One row per source record: the loader guarantees it; this proves it after every import.
SELECT contact_id, count(*) AS copies FROM contacts GROUP BY contact_id HAVING count(*) > 1
