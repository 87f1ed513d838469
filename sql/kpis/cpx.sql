-- label: Contacts per X
-- perspective: avoidable
-- description: Inbound contacts / demand units of the period (orders, shipments, invoices, active customers from the demand table, spread evenly over the days of their month). The company total divides by the chosen driver once (a driver listed under two departments is not counted twice). Split or filtered by owning department, each department's contacts are divided by its own driver (Logistics per shipment, Finance per invoice; the chosen driver where a department lists several); a department without demand has no value. Demand has no channel, so cpx cannot be split by channel.
-- unit: ratio
-- direction: lower
-- params: driver=orders
-- dimensions: department
-- min_n: 30
-- weight: 1
SELECT
    sum(contacts) AS numerator,
    sum(units) FILTER (
        WHERE CASE WHEN $department_scope
                   THEN NOT company AND (department_drivers = 1 OR driver = $driver)
                   ELSE company AND driver = $driver END
    ) AS denominator,
    sum(contacts) AS n
FROM m_demand
