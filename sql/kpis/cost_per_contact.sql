-- label: Cost per contact
-- perspective: cost
-- description: Sum of contact cost / inbound contacts. Contact cost = handle minutes x the channel's cost per minute + the channel's cost per contact, at the rate valid on the contact's date (a missing handle time costs only the per-contact rate).
-- unit: currency
-- direction: lower
-- min_n: 30
-- target: 5
-- red_flag: 8
-- weight: 1
SELECT
    sum(cost) FILTER (WHERE inbound) AS numerator,
    count(*) FILTER (WHERE inbound) AS denominator
FROM m_contacts
