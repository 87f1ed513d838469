-- label: First-contact resolution
-- perspective: operational
-- description: 1 - (handled inbound contacts followed within repeat_window_days by another inbound contact of the same customer, any channel) / handled inbound contacts with a known customer. The numerator counts the ones NOT followed.
-- unit: percent
-- direction: higher
-- params: repeat_window_days=7
-- looks_forward: repeat_window_days days
-- min_n: 30
-- target: 75
-- red_flag: 60
-- weight: 1
SELECT
    count(*) FILTER (
        WHERE inbound AND handled AND known_customer
          AND NOT coalesce(
              next_gap_seconds > 0 AND next_gap_seconds <= $repeat_window_days * 86400, false)
    ) AS numerator,
    count(*) FILTER (WHERE inbound AND handled AND known_customer) AS denominator
FROM m_contacts
