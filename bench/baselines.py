"""The two baselines the metrics layer is measured against, computing the SAME numbers as the
shipped KPI catalog (default parameters) for every KPI x month x channel x department:

* ``hand_sql``: one hand-written DuckDB statement per model table, what an analyst would write
  directly against the warehouse (one scan each, no compiler, no catalog);
* ``pandas_kpis``: plain pandas over the same model tables (read with ``fetchdf``; reading is part of
  the time, since pandas has nothing to compute from otherwise).

Both return the runner's long frame (kpi, period, channel, department, value, n) so ``compare`` can
check them number by number against ``metrics.runner.run``.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

KEYS = ["kpi", "period", "channel", "department"]
REPEAT = 7 * 86400  # repeat_window_days = 7
CONTAIN = 24 * 3600  # containment_hours = 24
SHORT = 5  # short_abandon_seconds
SL = 20  # sl_seconds
MIN_N = 30  # channel_consistency_gap min_n
DRIVER = "orders"

# (kpi, kind, numerator column, denominator column, n column, scale); kind ratio | value
CONTACT_KPIS = [
    ("abandon_rate", "ratio", 100), ("aht", "ratio", 1), ("asa", "ratio", 1),
    ("avoidable_cost", "value", 1), ("avoidable_rate", "ratio", 100),
    ("channel_switch_rate", "ratio", 100), ("contacts", "value", 1),
    ("cost_per_contact", "ratio", 1), ("false_containment", "ratio", 100), ("fcr", "ratio", 100),
    ("first_response_time", "value", 1), ("reopen_rate", "ratio", 100),
    ("repeat_rate", "ratio", 100), ("resolution_time", "value", 1),
    ("service_caused_share", "ratio", 100), ("service_level", "ratio", 100),
    ("transfer_rate", "ratio", 100), ("unreachable_rate", "ratio", 100),
]
SURVEY_KPIS = [("csat", "ratio", 100), ("ces", "ratio", 100), ("nps", "ratio", 100),
               ("survey_resolution", "ratio", 100)]

HAND_SQL = f"""
WITH c AS (
    SELECT
        CAST(date_trunc('month', local_at) AS DATE) AS period, channel, department,
        count(*) FILTER (WHERE inbound AND queued AND abandoned AND coalesce(wait_seconds, 0) >= {SHORT}) AS abandon_rate_num,
        count(*) FILTER (WHERE inbound AND queued AND NOT (abandoned AND coalesce(wait_seconds, 0) < {SHORT})) AS abandon_rate_den,
        sum(handle_seconds) FILTER (WHERE inbound AND handled AND handle_seconds IS NOT NULL) AS aht_num,
        count(*) FILTER (WHERE inbound AND handled AND handle_seconds IS NOT NULL) AS aht_den,
        sum(coalesce(wait_seconds, 0)) FILTER (WHERE inbound AND queued AND answered) AS asa_num,
        count(*) FILTER (WHERE inbound AND queued AND answered) AS asa_den,
        sum(cost) FILTER (WHERE inbound AND avoidable) AS avoidable_cost_val,
        count(*) FILTER (WHERE inbound AND avoidable) AS avoidable_cost_n,
        count(*) FILTER (WHERE inbound AND mapped AND avoidable) AS avoidable_rate_num,
        count(*) FILTER (WHERE inbound AND mapped) AS avoidable_rate_den,
        count(*) FILTER (WHERE inbound AND known_customer AND next_switch_gap_seconds > 0 AND next_switch_gap_seconds <= {REPEAT}) AS channel_switch_rate_num,
        count(*) FILTER (WHERE inbound AND known_customer) AS channel_switch_rate_den,
        count(*) FILTER (WHERE inbound) AS contacts_val,
        count(*) FILTER (WHERE inbound) AS contacts_n,
        sum(cost) FILTER (WHERE inbound) AS cost_per_contact_num,
        count(*) FILTER (WHERE inbound) AS cost_per_contact_den,
        count(*) FILTER (WHERE inbound AND self_service AND next_assisted_gap_seconds > 0 AND next_assisted_gap_seconds <= {CONTAIN}) AS false_containment_num,
        count(*) FILTER (WHERE inbound AND self_service) AS false_containment_den,
        count(*) FILTER (WHERE inbound AND handled AND known_customer AND NOT coalesce(next_gap_seconds > 0 AND next_gap_seconds <= {REPEAT}, false)) AS fcr_num,
        count(*) FILTER (WHERE inbound AND handled AND known_customer) AS fcr_den,
        median(first_response_seconds) FILTER (WHERE inbound) AS first_response_time_val,
        count(first_response_seconds) FILTER (WHERE inbound) AS first_response_time_n,
        count(*) FILTER (WHERE is_ticket AND solved AND reopened_count > 0) AS reopen_rate_num,
        count(*) FILTER (WHERE is_ticket AND solved) AS reopen_rate_den,
        count(*) FILTER (WHERE inbound AND known_customer AND prev_gap_seconds > 0 AND prev_gap_seconds <= {REPEAT}) AS repeat_rate_num,
        count(*) FILTER (WHERE inbound AND known_customer) AS repeat_rate_den,
        median(resolution_seconds) FILTER (WHERE inbound) AS resolution_time_val,
        count(resolution_seconds) FILTER (WHERE inbound) AS resolution_time_n,
        count(*) FILTER (WHERE inbound AND avoidable AND service_caused) AS service_caused_share_num,
        count(*) FILTER (WHERE inbound AND avoidable) AS service_caused_share_den,
        count(*) FILTER (WHERE inbound AND queued AND answered AND coalesce(wait_seconds, 0) <= {SL}) AS service_level_num,
        count(*) FILTER (WHERE inbound AND queued AND (answered OR (abandoned AND coalesce(wait_seconds, 0) >= {SHORT}))) AS service_level_den,
        count(*) FILTER (WHERE inbound AND handled AND transferred) AS transfer_rate_num,
        count(*) FILTER (WHERE inbound AND handled AND transferred IS NOT NULL) AS transfer_rate_den,
        count(*) FILTER (WHERE attempt AND NOT reached_agent) AS unreachable_rate_num,
        count(*) FILTER (WHERE attempt) AS unreachable_rate_den
    FROM m_contacts
    GROUP BY ALL
), s AS (
    SELECT
        CAST(date_trunc('month', local_at) AS DATE) AS period, channel, department,
        count(*) FILTER (WHERE satisfied) AS csat_num,
        count(*) FILTER (WHERE csat IS NOT NULL) AS csat_den,
        count(*) FILTER (WHERE easy) AS ces_num,
        count(*) FILTER (WHERE ces IS NOT NULL) AS ces_den,
        count(*) FILTER (WHERE promoter) - count(*) FILTER (WHERE detractor) AS nps_num,
        count(*) FILTER (WHERE nps IS NOT NULL) AS nps_den,
        count(*) FILTER (WHERE resolved) AS survey_resolution_num,
        count(*) FILTER (WHERE resolved IS NOT NULL) AS survey_resolution_den
    FROM m_surveys
    GROUP BY ALL
), d AS (
    SELECT
        CAST(date_trunc('month', local_at) AS DATE) AS period, channel, department,
        sum(contacts) AS cpx_num,
        -- split by department: each department's own driver (the chosen one where it has several)
        sum(units) FILTER (WHERE NOT company AND (department_drivers = 1 OR driver = '{DRIVER}')) AS cpx_den
    FROM m_demand
    GROUP BY ALL
)
SELECT 'c' AS part, * FROM c
"""


def _long(wide: pd.DataFrame, specs: list[tuple[str, str, int]]) -> pd.DataFrame:
    keys = wide[["period", "channel", "department"]]
    parts = []
    for kpi, kind, scale in specs:
        if kind == "ratio":
            num = wide[f"{kpi}_num"].astype("float64")
            den = wide[f"{kpi}_den"].astype("float64")
            value = scale * num / den.where(den != 0)
            n = den
        else:
            value = wide[f"{kpi}_val"].astype("float64")
            n = wide[f"{kpi}_n"].astype("float64")
        parts.append(keys.assign(kpi=kpi, value=value.to_numpy(), n=n.to_numpy()))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _gap(s: pd.DataFrame) -> pd.DataFrame:
    """channel_consistency_gap with channel among the dimensions: one channel per group, so no
    spread (NULL) and n = rated responses where the channel reaches min_n."""
    den = s["csat_den"].astype("float64")
    return s[["period", "channel", "department"]].assign(
        kpi="channel_consistency_gap", value=np.nan, n=den.where(den >= MIN_N, 0.0).to_numpy())


def _cpx(d: pd.DataFrame) -> pd.DataFrame:
    den = d["cpx_den"].astype("float64")
    return d[["period", "channel", "department"]].assign(
        kpi="cpx", value=(d["cpx_num"].astype("float64") / den.where(den != 0)).to_numpy(),
        n=d["cpx_num"].astype("float64").to_numpy())


def hand_sql(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Three aggregate scans (contacts, surveys, demand), in one statement per table."""
    head = HAND_SQL.rsplit("SELECT 'c'", 1)[0]
    c = con.execute(head + "SELECT * FROM c").fetchdf()
    s = con.execute(head + "SELECT * FROM s").fetchdf()
    d = con.execute(head + "SELECT * FROM d").fetchdf()
    return _finish(pd.concat([_long(c, CONTACT_KPIS), _long(s, SURVEY_KPIS), _gap(s), _cpx(d)],
                             ignore_index=True))


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    frame["period"] = pd.to_datetime(frame["period"]).dt.date
    return frame[[*KEYS, "value", "n"]]


CONTACT_COLUMNS = ["local_at", "channel", "department", "inbound", "queued", "abandoned",
                   "answered", "handled", "wait_seconds", "handle_seconds", "cost", "avoidable",
                   "mapped", "known_customer", "next_switch_gap_seconds", "self_service",
                   "next_assisted_gap_seconds", "next_gap_seconds", "first_response_seconds",
                   "is_ticket", "solved", "reopened_count", "prev_gap_seconds",
                   "resolution_seconds", "service_caused", "transferred", "reached_agent",
                   "attempt"]


def _b(s: pd.Series) -> pd.Series:
    """A nullable boolean as plain bool, NULL = false (SQL's FILTER drops NULL conditions)."""
    return s.fillna(False).astype(bool)


def pandas_kpis(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The same KPIs with pandas: read the model tables, derive the flags, group and sum."""
    m = con.execute(f"SELECT {', '.join(CONTACT_COLUMNS)} FROM m_contacts").fetchdf()
    keys = ["period", "channel", "department"]
    m["period"] = m["local_at"].dt.to_period("M").dt.start_time.dt.date
    inbound, queued, abandoned = _b(m["inbound"]), _b(m["queued"]), _b(m["abandoned"])
    answered, handled, known = _b(m["answered"]), _b(m["handled"]), _b(m["known_customer"])
    wait = m["wait_seconds"].fillna(0)
    has_handle = inbound & handled & m["handle_seconds"].notna()
    avoidable = _b(m["avoidable"])

    def within(col: str, limit: int) -> pd.Series:
        gap = m[col]
        return _b((gap > 0) & (gap <= limit))

    cols: dict[str, pd.Series] = {
        "abandon_rate_num": inbound & queued & abandoned & (wait >= SHORT),
        "abandon_rate_den": inbound & queued & ~(abandoned & (wait < SHORT)),
        "aht_num": m["handle_seconds"].where(has_handle), "aht_den": has_handle,
        "asa_num": wait.where(inbound & queued & answered), "asa_den": inbound & queued & answered,
        "avoidable_cost_val": m["cost"].where(inbound & avoidable),
        "avoidable_cost_n": inbound & avoidable,
        "avoidable_rate_num": inbound & _b(m["mapped"]) & avoidable,
        "avoidable_rate_den": inbound & _b(m["mapped"]),
        "channel_switch_rate_num": inbound & known & within("next_switch_gap_seconds", REPEAT),
        "channel_switch_rate_den": inbound & known,
        "contacts_val": inbound, "contacts_n": inbound,
        "cost_per_contact_num": m["cost"].where(inbound), "cost_per_contact_den": inbound,
        "false_containment_num": inbound & _b(m["self_service"])
        & within("next_assisted_gap_seconds", CONTAIN),
        "false_containment_den": inbound & _b(m["self_service"]),
        "fcr_num": inbound & handled & known & ~within("next_gap_seconds", REPEAT),
        "fcr_den": inbound & handled & known,
        "first_response_time_n": inbound & m["first_response_seconds"].notna(),
        "reopen_rate_num": _b(m["is_ticket"]) & _b(m["solved"]) & (m["reopened_count"] > 0),
        "reopen_rate_den": _b(m["is_ticket"]) & _b(m["solved"]),
        "repeat_rate_num": inbound & known & within("prev_gap_seconds", REPEAT),
        "repeat_rate_den": inbound & known,
        "resolution_time_n": inbound & m["resolution_seconds"].notna(),
        "service_caused_share_num": inbound & avoidable & _b(m["service_caused"]),
        "service_caused_share_den": inbound & avoidable,
        "service_level_num": inbound & queued & answered & (wait <= SL),
        "service_level_den": inbound & queued & (answered | (abandoned & (wait >= SHORT))),
        "transfer_rate_num": inbound & handled & _b(m["transferred"]),
        "transfer_rate_den": inbound & handled & m["transferred"].notna(),
        "unreachable_rate_num": _b(m["attempt"]) & ~_b(m["reached_agent"]),
        "unreachable_rate_den": _b(m["attempt"]),
    }
    flags = pd.DataFrame({k: (v.astype("int64") if v.dtype == bool else v) for k, v in cols.items()})
    for key in keys:
        flags[key] = m[key]
    grouped = flags.groupby(keys, dropna=False, sort=False)
    wide = grouped.sum(min_count=1)
    counts = [c for c in wide.columns if c.endswith(("_den", "_n")) or c in
              ("contacts_val",) or c.endswith("_num") and c not in ("aht_num", "asa_num",
                                                                     "cost_per_contact_num")]
    wide[counts] = wide[counts].fillna(0)
    medians = pd.DataFrame({"first_response_seconds": m["first_response_seconds"].where(inbound),
                            "resolution_seconds": m["resolution_seconds"].where(inbound)})
    for key in keys:
        medians[key] = m[key]
    med = medians.groupby(keys, dropna=False, sort=False).median()
    wide["first_response_time_val"] = med["first_response_seconds"]
    wide["resolution_time_val"] = med["resolution_seconds"]
    c = wide.reset_index()

    s = con.execute("SELECT local_at, channel, department, satisfied, csat, easy, ces, promoter, "
                    "detractor, nps, resolved FROM m_surveys").fetchdf()
    s["period"] = s["local_at"].dt.to_period("M").dt.start_time.dt.date
    sf = pd.DataFrame({
        "csat_num": _b(s["satisfied"]), "csat_den": s["csat"].notna(),
        "ces_num": _b(s["easy"]), "ces_den": s["ces"].notna(),
        "nps_num": _b(s["promoter"]).astype("int64") - _b(s["detractor"]).astype("int64"),
        "nps_den": s["nps"].notna(),
        "survey_resolution_num": _b(s["resolved"]), "survey_resolution_den": s["resolved"].notna(),
    }).astype("int64")
    for key in keys:
        sf[key] = s[key]
    sw = sf.groupby(keys, dropna=False, sort=False).sum().reset_index()

    d = con.execute("SELECT local_at, channel, department, contacts, driver, units, company, "
                    "department_drivers FROM m_demand").fetchdf()
    d["period"] = d["local_at"].dt.to_period("M").dt.start_time.dt.date
    own = ~_b(d["company"]) & d["driver"].notna() & (
        (d["department_drivers"] == 1) | (d["driver"] == DRIVER))
    d["units"] = d["units"].where(own)
    dw = d.groupby(keys, dropna=False, sort=False).agg(
        cpx_num=("contacts", "sum"), cpx_den=("units", lambda u: u.sum(min_count=1))).reset_index()
    return _finish(pd.concat([_long(c, CONTACT_KPIS), _long(sw, SURVEY_KPIS), _gap(sw), _cpx(dw)],
                             ignore_index=True))


def compare(a: pd.DataFrame, b: pd.DataFrame, rel: float = 1e-9) -> list[str]:
    """Differences between two long frames (kpi, period, channel, department, value, n):
    missing or extra rows, values or n that differ beyond ``rel``. Empty list = equal."""
    def norm(f: pd.DataFrame) -> pd.DataFrame:
        f = f[[*KEYS, "value", "n"]].copy()
        f["period"] = f["period"].astype(str)
        for k in ("channel", "department"):
            f[k] = f[k].astype(object).where(f[k].notna(), "<null>").astype(str)
        return f.set_index(KEYS)
    x, y = norm(a), norm(b)
    problems = []
    missing = x.index.difference(y.index)
    extra = y.index.difference(x.index)
    if len(missing):
        problems.append(f"{len(missing)} rows only in the first, e.g. {list(missing[:3])}")
    if len(extra):
        problems.append(f"{len(extra)} rows only in the second, e.g. {list(extra[:3])}")
    both = x.index.intersection(y.index)
    if x.index.has_duplicates or y.index.has_duplicates:
        problems.append("duplicate keys")
        return problems
    for col in ("value", "n"):
        u = x.loc[both, col].astype("float64").to_numpy()
        v = y.loc[both, col].astype("float64").to_numpy()
        same = (np.isnan(u) & np.isnan(v)) | np.isclose(u, v, rtol=rel, atol=1e-9)
        if not same.all():
            bad = both[~same]
            problems.append(f"{int((~same).sum())} {col} differ, e.g. {list(bad[:3])}: "
                            f"{u[~same][:3]} vs {v[~same][:3]}")
    return problems
