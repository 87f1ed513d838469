"""Simulate Northwind Home's contacts and survey answers, vectorised with numpy.

The result is canonical-looking frames (one row per contact, one per survey answer) that the writers
turn into real vendor exports. Nothing here touches the warehouse: the demo loads the written files
through the connectors like any customer's exports, so the demo also exercises the import path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from connectors.demo.company import HOURS, REASONS, SEASON, SERVICE, TEAMS, WEEKDAY, story

FIRST_NAMES = ("Anna", "Ben", "Clara", "David", "Elif", "Finn", "Greta", "Hannes", "Ida", "Jonas",
               "Katrin", "Lukas", "Mia", "Noah", "Olga", "Paul", "Rosa", "Samir", "Tina", "Yusuf")
LAST_NAMES = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
              "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
              "Yılmaz", "Kowalski", "Nguyen", "Rossi")
AGENTS = tuple(f"{first} {last[0]}." for first, last in zip(FIRST_NAMES, LAST_NAMES[::-1], strict=True))
CHANNELS = ("phone", "email", "web", "chat", "social")
BOT_REASONS = {"delivery_status", "invoice_copy", "password_reset", "order_change", "return_request"}
# Asking for a person (agent_requested): a bot session whose customer later calls asked for an agent
# with BOT_ASK[True] and the bot ended the session (a failed hand-off), one without a callback asked
# with BOT_ASK[False] and was handed to the chat queue; the others never asked (contained, truly or
# falsely). IVR-only callers pressed "agent" and hung up / were cut off with IVR_ASK (before, after the
# website change); the others self-served.
BOT_ASK = {True: 0.25, False: 0.2}
IVR_ASK = (0.3, 0.55)
TZ = "Europe/Berlin"


@dataclass
class Simulation:
    first: date
    last: date
    contacts: pd.DataFrame
    surveys: pd.DataFrame
    customers: pd.DataFrame


def _days(first: date, last: date) -> pd.DatetimeIndex:
    return pd.date_range(first, last, freq="D")


def _reason_multipliers(days: pd.DatetimeIndex, first: date, last: date) -> np.ndarray:
    ev = story(first, last)
    codes = [r.code for r in REASONS]
    mult = np.ones((len(days), len(REASONS)))
    d = days.date

    def window(name: str) -> np.ndarray:
        e = ev[name]
        return np.array([(e.start <= x <= e.end) for x in d])

    mult[window("BILLING_ERROR"), codes.index("billing_error")] *= 7.0
    mult[window("DELIVERY_DELAY"), codes.index("delivery_status")] *= 3.5
    mult[window("WAREHOUSE_FIX"), codes.index("wrong_item")] *= 0.35
    mult[window("WEBSITE_CHANGE"), codes.index("phone_number")] *= 5.0
    mult[window("WEBSITE_CHANGE"), codes.index("website_problem")] *= 1.6
    return mult


def simulate(n_contacts: int, first: date, last: date, seed: int = 7) -> Simulation:
    rng = np.random.default_rng(seed)
    ev = story(first, last)
    days = _days(first, last)
    growth = np.linspace(0.9, 1.1, len(days))
    day_weight = (np.array([SEASON[m] for m in days.month]) * np.array(WEEKDAY)[days.day_of_week]
                  * growth)
    share = np.array([r.share for r in REASONS])
    lam = day_weight[:, None] * share[None, :] * _reason_multipliers(days, first, last)
    primary_target = n_contacts / 1.12  # repeats and bot follow-ups add the rest
    counts = rng.poisson(lam * primary_target / lam.sum())
    day_idx, reason_idx = np.nonzero(counts)
    reps = counts[day_idx, reason_idx]
    day_idx = np.repeat(day_idx, reps)
    reason_idx = np.repeat(reason_idx, reps)
    n = len(day_idx)

    # Channel by reason, then the story's shifts.
    mix = np.array([[r.channels.get(c, 0.0) for c in CHANNELS] for r in REASONS])
    probs = mix[reason_idx].copy()
    day = days[day_idx]
    web_change = np.asarray(day.date >= ev["WEBSITE_CHANGE"].start)
    probs[web_change, 0] *= 0.7  # phone harder to find
    probs[web_change, 4] *= 4.0  # social rises
    probs /= probs.sum(axis=1, keepdims=True)
    u = rng.random(n)
    channel_idx = (u[:, None] > probs.cumsum(axis=1)).sum(axis=1).clip(0, len(CHANNELS) - 1)
    channel = np.array(CHANNELS, dtype=object)[channel_idx]
    # The chatbot answers half of the eligible chats after launch.
    codes = np.array([r.code for r in REASONS], dtype=object)
    bot_ok = np.isin(codes[reason_idx], list(BOT_REASONS))
    bot = ((channel == "chat") | (channel == "web")) & bot_ok & np.asarray(
        day.date >= ev["CHATBOT_LAUNCH"].start) & (rng.random(n) < 0.55)
    channel[bot] = "self_service"

    local = (day + pd.to_timedelta(rng.choice(24, n, p=np.array(HOURS) / sum(HOURS)), unit="h")
             + pd.to_timedelta(rng.integers(0, 3600, n), unit="s"))
    opened = local.tz_localize(TZ, ambiguous="NaT", nonexistent="shift_forward").tz_convert(
        "UTC").tz_localize(None)
    n_customers = max(50, n // 4)
    customer = np.minimum((n_customers * rng.random(n) ** 1.6).astype(int), n_customers - 1)
    base = pd.DataFrame({"opened_at": np.asarray(opened), "reason": codes[reason_idx],
                         "channel": channel, "customer": customer, "kind": "primary"})
    base = base[base["opened_at"].notna()]
    base["base_no"] = np.arange(len(base))  # lets a bot callback name the session it follows

    frames = [base, _repeats(base, rng), _bot_callbacks(base, rng)]
    contacts = pd.concat(frames, ignore_index=True)
    contacts = contacts[contacts["opened_at"] < pd.Timestamp(last) + pd.Timedelta(days=1)]
    contacts = contacts.sort_values("opened_at", kind="stable").reset_index(drop=True)
    contacts = _operate(contacts, rng, ev)
    contacts = _agent_requests(contacts, np.random.default_rng(seed + 11), ev)
    customers = _customers(n_customers, rng)
    surveys = _surveys(contacts, rng)
    # a response comes up to two days after its contact: one after the export was taken (the end
    # of the last day, like the contacts) does not exist yet
    surveys = surveys[surveys["responded_at"] < pd.Timestamp(last) + pd.Timedelta(days=1)]
    return Simulation(first, last, contacts, surveys.reset_index(drop=True), customers)


def _repeats(base: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    p = base["reason"].map({r.code: r.repeat for r in REASONS}).to_numpy()
    p = p * np.where(base["channel"].to_numpy() == "self_service", 0.3, 1.0)
    chosen = base[rng.random(len(base)) < p].copy()
    gap_hours = rng.exponential(60, len(chosen)).clip(0.5, 24 * 14)
    chosen["opened_at"] = chosen["opened_at"] + pd.to_timedelta(gap_hours, unit="h")
    switch = rng.random(len(chosen)) < 0.4
    chosen.loc[switch, "channel"] = rng.choice(["phone", "email", "chat"], int(switch.sum()),
                                               p=[0.7, 0.2, 0.1])
    chosen.loc[chosen["channel"] == "self_service", "channel"] = "phone"
    chosen["kind"] = "repeat"
    return chosen


def _bot_callbacks(base: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    bots = base[(base["channel"] == "self_service") & (rng.random(len(base)) < 0.4)].copy()
    bots["opened_at"] = bots["opened_at"] + pd.to_timedelta(rng.uniform(0.2, 20, len(bots)), unit="h")
    bots["channel"] = "phone"
    bots["kind"] = "bot_callback"
    bots["callback_of"] = bots["base_no"]
    return bots


def _operate(c: pd.DataFrame, rng: np.random.Generator, ev: dict) -> pd.DataFrame:
    """How the service handled each contact: queues, waits, talk, replies, outcomes."""
    n = len(c)
    c["contact_no"] = np.arange(1, n + 1)
    day = c["opened_at"].dt.floor("D")
    phone = (c["channel"] == "phone").to_numpy()
    per_day = pd.Series(phone).groupby(day.to_numpy()).transform("sum").to_numpy()
    typical = np.median(per_day[phone]) if phone.any() else 1.0
    load = np.clip(per_day / max(typical, 1.0), 0.3, 4.0)
    reason = c["reason"].to_numpy()
    talk_median = pd.Series(reason).map({r.code: r.talk for r in REASONS}).to_numpy()
    web_change = (c["opened_at"] >= pd.Timestamp(ev["WEBSITE_CHANGE"].start)).to_numpy()

    ivr_p = np.where(web_change, 0.11, 0.03)
    ivr_only = phone & (rng.random(n) < ivr_p)
    wait = rng.exponential(22 * load**2.2)
    patience = rng.exponential(150, n)
    abandoned = phone & ~ivr_only & (wait > patience)
    wait = np.where(abandoned, patience, wait)
    answered = phone & ~ivr_only & ~abandoned
    talk = np.where(answered, rng.lognormal(np.log(talk_median), 0.45), np.nan)
    hold = np.where(answered & (rng.random(n) < 0.3), rng.exponential(50, n), 0.0)
    wrap = np.where(answered, 25 + rng.exponential(35, n), np.nan)
    transfer_p = np.where(reason == "wrong_info", 0.25, 0.06)
    transferred = answered & (rng.random(n) < transfer_p)

    ticket = ~phone & (c["channel"] != "self_service").to_numpy()
    chat = (c["channel"] == "chat").to_numpy()
    first_reply = np.where(chat, rng.exponential(2.5, n) + 0.3,
                           rng.lognormal(np.log(150 * load**1.5), 0.8))
    solve_hours = np.where(chat, rng.exponential(0.3, n), rng.lognormal(np.log(18), 0.9, n))
    agent_minutes = np.where(chat, rng.lognormal(np.log(9), 0.4, n), rng.lognormal(np.log(7), 0.5, n))
    reopened = ticket & (rng.random(n) < np.where(c["reason"].isin(["billing_error", "wrong_info"]), 0.12, 0.04))

    dept = pd.Series(reason).map({r.code: r.department for r in REASONS}).to_numpy()
    queue = np.select([dept == "Finance", np.isin(dept, ["Logistics", "Fulfilment"]),
                       dept == "Sales"], ["Billing", "Orders", "Sales"], "General")
    team = np.array([TEAMS.get(ch, ["Backoffice"])[i % len(TEAMS.get(ch, ["x"]))]
                     for i, ch in enumerate(c["channel"])], dtype=object)
    agent = np.array(AGENTS, dtype=object)[rng.integers(0, len(AGENTS), n)]
    c = c.assign(phone=phone, ivr_only=ivr_only, abandoned=abandoned, answered=answered,
                 wait=np.where(phone & ~ivr_only, wait, np.nan), talk=talk, hold=np.where(answered, hold, np.nan),
                 wrap=wrap, transferred=transferred, ticket=ticket,
                 first_reply_minutes=np.where(ticket, first_reply, np.nan),
                 solve_hours=np.where(ticket, solve_hours, np.nan),
                 agent_minutes=np.where(ticket, agent_minutes, np.nan),
                 reopened=reopened, queue=queue, team=team, agent=agent, department=dept,
                 ivr_seconds=rng.integers(20, 120, n))
    # Was this contact followed by another one of the same customer within 7 days? (drives answers)
    nxt = c.groupby("customer")["opened_at"].shift(-1)
    c["followed"] = ((nxt - c["opened_at"]) <= pd.Timedelta(days=7)).fillna(False).to_numpy()
    return c


def _agent_requests(c: pd.DataFrame, rng: np.random.Generator, ev: dict) -> pd.DataFrame:
    """Who asked for a person in the bot or the IVR, and what became of it (written into the Connect
    records' attributes and queues, so the connector reads it like real data).

    Its own random stream, after everything else is drawn: the contacts, waits and survey answers
    stay those of the same seed without agent requests. A handed-off bot session becomes a queued
    chat: answered by an agent, or abandoned when the customer stops waiting."""
    n = len(c)
    bot = (c["channel"] == "self_service").to_numpy()
    called_back = bot & c["base_no"].isin(c["callback_of"].dropna()).to_numpy()
    asked = bot & (rng.random(n) < np.where(called_back, BOT_ASK[True], BOT_ASK[False]))
    handoff = asked & ~called_back
    wait, patience = rng.exponential(45, n), rng.exponential(400, n)
    gave_up = handoff & (wait > patience)
    taken = handoff & ~gave_up
    talk_median = c["reason"].map({r.code: r.talk for r in REASONS}).to_numpy()
    web_change = (c["opened_at"] >= pd.Timestamp(ev["WEBSITE_CHANGE"].start)).to_numpy()
    ivr_asked = c["ivr_only"].to_numpy() & (rng.random(n) < np.where(web_change, IVR_ASK[1], IVR_ASK[0]))
    return c.assign(
        bot_asked=asked, handoff=handoff, handoff_failed=asked & called_back, ivr_asked=ivr_asked,
        answered=c["answered"].to_numpy() | taken, abandoned=c["abandoned"].to_numpy() | gave_up,
        wait=np.where(handoff, np.minimum(wait, patience), c["wait"]),
        talk=np.where(taken, rng.lognormal(np.log(talk_median * 1.4), 0.4), c["talk"]),
        hold=np.where(taken, 0.0, c["hold"]),
        wrap=np.where(taken, 20 + rng.exponential(25, n), c["wrap"]),
    )


def _customers(n: int, rng: np.random.Generator) -> pd.DataFrame:
    idx = np.arange(n)
    first = np.array(FIRST_NAMES, dtype=object)[idx % len(FIRST_NAMES)]
    last = np.array(LAST_NAMES, dtype=object)[(idx // len(FIRST_NAMES)) % len(LAST_NAMES)]
    digits = rng.integers(1_000_000, 9_999_999, n)
    area = rng.choice(["30", "40", "89", "221", "69", "711"], n)
    return pd.DataFrame({
        "customer": idx,
        "name": first + " " + last,
        "email": [f"{f.lower()}.{s.lower()}{i}@example.de".replace("ü", "ue").replace("ö", "oe")
                  .replace("ı", "i") for f, s, i in zip(first, last, idx, strict=True)],
        "phone": ["+49 " + a + " " + str(d) for a, d in zip(area, digits, strict=True)],
        "national_phone": ["0" + a + " " + str(d) for a, d in zip(area, digits, strict=True)],
        "account": [f"NW-{100000 + i}" for i in idx],
        "identified": rng.random(n) < 0.75,  # callers who key in their customer number
    })


COMMENTS = {
    True: ("Quick and friendly, thank you!", "Problem solved in one call.",
           "Very helpful advice, I ordered the sofa.", "Easy, fast, <b>great</b> service."),
    False: ("Third time I have to call about the same invoice.", "Waited forever, then got cut off.",
            "Nobody could tell me where my parcel is.", "Wrong item again, \"quality control\"?",
            "Your website hides the phone number, why?", "The chatbot did not understand me, so I called."),
}


def _surveys(c: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    handled = (c["answered"] | c["ticket"] | (c["channel"] == "self_service")).to_numpy()
    asked = handled & (rng.random(len(c)) < 0.09)
    s = c[asked].copy()
    m = len(s)
    avoidable = s["reason"].map({r.code: r.avoidable for r in REASONS}).to_numpy()
    service = (s["department"] == SERVICE).to_numpy()
    bot = (s["channel"] == "self_service").to_numpy()
    long_wait = (s["wait"].fillna(0) > 120).to_numpy()
    followed = s["followed"].to_numpy()
    p_sat = (0.93 - 0.12 * avoidable - 0.25 * followed - 0.15 * long_wait - 0.1 * service
             - 0.15 * bot + 0.04 * (s["channel"] == "chat").to_numpy())
    satisfied = rng.random(m) < p_sat.clip(0.05, 0.99)
    csat = np.where(satisfied, rng.choice([4, 5], m, p=[0.45, 0.55]), rng.choice([1, 2, 3], m, p=[0.3, 0.3, 0.4]))
    nps = np.where(satisfied, rng.choice([7, 8, 9, 10], m, p=[0.1, 0.25, 0.35, 0.3]),
                   rng.integers(0, 8, m))
    p_easy = 0.85 - 0.2 * avoidable - 0.3 * followed - 0.2 * long_wait - 0.25 * bot
    ces = np.where(rng.random(m) < p_easy.clip(0.05, 0.99), rng.integers(5, 8, m), rng.integers(1, 5, m))
    resolved = np.where(followed, rng.random(m) < 0.3, rng.random(m) < 0.92)
    with_comment = rng.random(m) < 0.35
    comment = [rng.choice(COMMENTS[bool(ok)]) if w else "" for ok, w in zip(satisfied, with_comment, strict=True)]
    delay = pd.to_timedelta(rng.uniform(0.5, 48, m), unit="h")
    return pd.DataFrame({
        "contact_no": s["contact_no"].to_numpy(), "customer": s["customer"].to_numpy(),
        "channel": s["channel"].to_numpy(), "responded_at": (s["opened_at"] + delay).to_numpy(),
        "csat": csat, "nps": nps, "ces": ces, "resolved": resolved, "comment": comment,
    })
