-- label: Repeat contact rate
-- perspective: avoidable
-- description: Inbound contacts preceded by another inbound contact from the same customer within repeat_window_days / inbound contacts with a known customer.
-- unit: percent
-- direction: lower
-- params: repeat_window_days=7
-- min_n: 30
-- target: 15
-- red_flag: 25
-- weight: 1
SELECT
    count(*) FILTER (
        WHERE inbound AND known_customer
          AND prev_gap_seconds > 0 AND prev_gap_seconds <= $repeat_window_days * 86400
    ) AS numerator,
    count(*) FILTER (WHERE inbound AND known_customer) AS denominator
FROM m_contacts
