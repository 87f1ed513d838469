-- label: Channel switching
-- perspective: avoidable
-- description: Inbound contacts followed within repeat_window_days by an inbound contact from the same customer on another channel / inbound contacts with a known customer.
-- unit: percent
-- direction: lower
-- params: repeat_window_days=7
-- looks_forward: repeat_window_days days
-- min_n: 30
-- target: 10
-- red_flag: 20
-- weight: 1
SELECT
    count(*) FILTER (
        WHERE inbound AND known_customer
          AND next_switch_gap_seconds > 0
          AND next_switch_gap_seconds <= $repeat_window_days * 86400
    ) AS numerator,
    count(*) FILTER (WHERE inbound AND known_customer) AS denominator
FROM m_contacts
