-- label: Contacts per X
-- perspective: avoidable
-- description: Inbound contacts / demand units of the period for the chosen driver (orders, shipments, invoices, active_customers) from the demand table, spread evenly over the days of its month. Per department where demand is given per department; demand has no channel, so per channel the denominator is empty.
-- unit: ratio
-- direction: lower
-- params: driver=orders
-- min_n: 30
-- weight: 1
SELECT
    sum(contacts) AS numerator,
    sum(units) FILTER (WHERE driver = $driver) AS denominator,
    sum(contacts) AS n
FROM m_demand
