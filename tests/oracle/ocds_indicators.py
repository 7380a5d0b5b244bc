"""Independent oracle for the OCDS procurement indicators.

A plain-Python (standard library only) re-implementation of the indicator
definitions written down in docs/indicators/*.md. It shares no code with the
Rust implementation (crates/check) and was written from those pages, so that
where the two agree on real data, the agreement means something.

Entry point: `judge(ind, processes, codelists)` where `ind` is one
`[[indicator]]` table of a pack, `processes` maps ocid -> compiled release
(dict), and `codelists` the parsed packs/codelists/*.toml. It returns a dict
subject -> True (flagged) / False (clean) / None (not applicable), where a
subject is ("contracting_process", ocid), ("buyer", id), ...; contracting
processes that an aggregate indicator could not use are reported as
("process", ocid) -> None.
"""

import copy
import datetime as dt
import math
import re
from collections import defaultdict

BID = ["invited", "pending", "valid", "disqualified", "withdrawn"]
AWARD = ["pending", "active", "cancelled", "unsuccessful"]
CONTRACT = ["pending", "active", "cancelled", "terminated"]
TENDER = ["planning", "planned", "active", "cancelled", "unsuccessful", "complete", "withdrawn"]
METHOD = ["open", "selective", "limited", "direct"]

# ---------------------------------------------------------------------------
# JSON helpers: "absent" covers a missing member and null.


class Bad(Exception):
    """The process cannot be judged (a needed field is missing or wrong)."""


def get(obj, *path):
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def ident(x):
    """An id: a string, or an integer written as one."""
    if isinstance(x, str):
        return x
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    return None


def objects(lst):
    """The object entries of a list (absent or not a list: none)."""
    return [x for x in lst if isinstance(x, dict)] if isinstance(lst, list) else []


def strict_list(rel, *path):
    """A list whose every entry is an object, else Bad."""
    lst = get(rel, *path)
    if not isinstance(lst, list):
        raise Bad("no " + ".".join(path))
    if not all(isinstance(x, dict) for x in lst):
        raise Bad("non-object entry")
    return lst


RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


def instant(text):
    """(UTC datetime, offset) of an RFC 3339 date-time, or None."""
    if not isinstance(text, str):
        return None
    m = RFC3339.match(text)
    if not m:
        return None
    y, mo, d, h, mi, s, frac, tz = m.groups()
    micro = int((frac[1:] + "000000")[:6]) if frac else 0
    try:
        local = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), micro)
    except ValueError:
        return None
    if tz in ("Z", "z"):
        off = dt.timedelta(0)
    else:
        sign = -1 if tz[0] == "-" else 1
        off = sign * dt.timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6]))
    return local - off, off


def calendar_date(text):
    """The date of an RFC 3339 date-time (in its own offset) or of YYYY-MM-DD."""
    i = instant(text)
    if i:
        return (i[0] + i[1]).date()
    if isinstance(text, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    return None


def money(value):
    """(amount, currency) of a Value object, else Bad."""
    if not isinstance(value, dict):
        raise Bad("no value")
    amount, currency = value.get("amount"), value.get("currency")
    if not is_num(amount) or not isinstance(currency, str) or not math.isfinite(amount):
        raise Bad("no usable amount")
    return float(amount), currency


def priced(bid):
    """A bid has a price when its value has an amount and a currency."""
    v = bid.get("value")
    return isinstance(v, dict) and v.get("amount") is not None and v.get("currency") is not None


# ---------------------------------------------------------------------------
# Statuses


def bid_status(bid):
    s = bid.get("status")
    if s is None:
        return "unstated"
    if s in BID:
        return s
    raise Bad("unknown bid status")


def submitted(bid):
    return bid_status(bid) not in ("invited", "withdrawn")


def award_status(award):
    s = award.get("status")
    if s is None:
        return "unstated"
    if s in AWARD:
        return s
    raise Bad("unknown award status")


def org_key(org):
    """An organisation's id; an OCDS 1.0 reference without one is known by
    its identifier, written scheme-id as OCDS 1.1 writes party ids."""
    if not isinstance(org, dict):
        return None
    own = org.get("id")
    if own is not None and own != "":
        return ident(own)
    scheme, number = get(org, "identifier", "scheme"), ident(get(org, "identifier", "id"))
    if isinstance(scheme, str) and scheme and number:
        return f"{scheme}-{number}"
    return None


def tenderers(bid):
    """Tenderer ids; tenderers that are not a list of objects cannot be told apart."""
    listed = bid.get("tenderers")
    if listed is not None and (not isinstance(listed, list) or not all(isinstance(t, dict) or t is None for t in listed)):
        raise Bad("tenderers of the wrong type")
    return {org_key(t) for t in objects(listed) if org_key(t) is not None}


def suppliers(award):
    return {org_key(s) for s in objects(award.get("suppliers")) if org_key(s) is not None}


def active_awards(rel):
    return [a for a in strict_list(rel, "awards") if award_status(a) == "active"]


def final_active_awards(rel):
    awards = strict_list(rel, "awards")
    if any(award_status(a) == "pending" for a in awards):
        raise Bad("pending award")
    return [a for a in awards if award_status(a) == "active"]


def buyer_id(rel):
    b = org_key(rel.get("buyer"))
    if b is None:
        raise Bad("no buyer id")
    return b


# ---------------------------------------------------------------------------
# Code lists


def codelist_for(codelists, ocid):
    best, best_len = None, -1
    for cl in codelists:
        for p in cl["codelist"]["ocid_prefixes"]:
            if ocid.startswith(p) and len(p) > best_len:
                best, best_len = cl, len(p)
    return best


def normalize(rel, cl):
    """A copy of the release with the publisher's codes mapped to OCDS codes."""
    rel = copy.deepcopy(rel)
    table = (lambda name: cl.get(name, {})) if cl else (lambda name: {})

    def code(obj, key, allowed, name):
        if isinstance(obj, dict) and isinstance(obj.get(key), str):
            v = obj[key]
            if v not in allowed and v in table(name):
                obj[key] = table(name)[v]

    def currency(obj):
        v = obj.get("value") if isinstance(obj, dict) else None
        if isinstance(v, dict) and isinstance(v.get("currency"), str):
            c = v["currency"]
            if not re.fullmatch(r"[A-Z]{3}", c) and c in table("currency"):
                v["currency"] = table("currency")[c]

    tender = rel.get("tender")
    if isinstance(tender, dict):
        code(tender, "status", TENDER, "tender_status")
        if tender.get("procurementMethod") is None:
            d = tender.get("procurementMethodDetails")
            if isinstance(d, str) and d in table("procurement_method_details"):
                tender["procurementMethod"] = table("procurement_method_details")[d]
        else:
            code(tender, "procurementMethod", METHOD, "procurement_method")
        currency(tender)
    for bid in objects(get(rel, "bids", "details")):
        code(bid, "status", BID, "bid_status")
        currency(bid)
    for award in objects(rel.get("awards")):
        code(award, "status", AWARD, "award_status")
        currency(award)
    for contract in objects(rel.get("contracts")):
        code(contract, "status", CONTRACT, "contract_status")
        currency(contract)
    if cl and cl.get("awards", {}).get("unsuccessful_disqualifies_bid"):
        # A bidder refused an award, holding no active or pending one: its
        # still-open bid counts as disqualified.
        refused, kept = set(), set()
        for award in objects(rel.get("awards")):
            if award.get("status") == "unsuccessful":
                refused |= suppliers(award)
            elif award.get("status") in ("active", "pending"):
                kept |= suppliers(award)
        for bid in objects(get(rel, "bids", "details")):
            if bid.get("status") in (None, "valid", "pending"):
                names = {org_key(t) for t in objects(bid.get("tenderers"))}
                if names & (refused - kept):
                    bid["status"] = "disqualified"
    return rel


# ---------------------------------------------------------------------------
# Quartiles (Hyndman and Fan type 8) and fences


def quantile8(values, p):
    xs = sorted(values)
    n = len(xs)
    h = (n + 1 / 3) * p + 1 / 3
    j = math.floor(h)
    if j < 1 or p <= 0:
        return xs[0]
    if j >= n or p >= 1:
        return xs[-1]
    return xs[j - 1] + (h - j) * (xs[j] - xs[j - 1])


def fence(values, ind, tail, minimum_sample=None, need_q1=False):
    """The fence to compare with, or None when none can be used."""
    if ind.get("threshold") is not None:
        f = float(ind["threshold"])
        return f if f > 0 else None
    minimum = ind.get("minimum_sample", 10) if minimum_sample is None else minimum_sample
    if len(values) < minimum or not values:
        return None
    q1, q3 = quantile8(values, 0.25), quantile8(values, 0.75)
    f = q3 + 1.5 * (q3 - q1) if tail == "upper" else q1 - 1.5 * (q3 - q1)
    if f <= 0 or (need_q1 and q1 <= 0):
        return None
    return f


# ---------------------------------------------------------------------------
# Per-process indicators: rel -> True / False / None


def single_bid(ind, rel):
    for source in ind.get("count_from", ["bids", "number_of_tenderers"]):
        if source == "bids":
            bids = rel.get("bids")
            if bids is None or (isinstance(bids, dict) and bids.get("details") is None):
                continue
            details = strict_list(rel, "bids", "details")
            people, anonymous = set(), 0
            for b in details:
                if not submitted(b):
                    continue
                t = tenderers(b)
                if not t:
                    anonymous += 1
                people |= t
            return len(people) + anonymous == 1
        n = get(rel, "tender", "numberOfTenderers")
        if n is None:
            continue
        if not is_num(n) or n < 0 or n != int(n):
            raise Bad("numberOfTenderers not a count")
        return int(n) == 1
    raise Bad("nothing to count")


def short_tender_period(ind, rel):
    start = instant(get(rel, "tender", "tenderPeriod", "startDate"))
    end = instant(get(rel, "tender", "tenderPeriod", "endDate"))
    if start is None or end is None:
        raise Bad("no period")
    if end[0] < start[0]:
        raise Bad("ends before it starts")
    minimum = ind["minimum_days"]
    details = get(rel, "tender", "procurementMethodDetails")
    minimum = ind.get("minimum_days_by_method_details", {}).get(details, minimum)
    if ind.get("whole_days"):
        seconds = (end[0] - start[0]).total_seconds()
        return seconds // 86400 < minimum
    start_date = (start[0] + start[1]).date()
    end_date = (end[0] + start[1]).date()  # the end, seen in the start's offset
    if ind.get("days", "calendar") == "working":
        due, left = start_date, minimum
        while left > 0:
            due += dt.timedelta(days=1)
            if due.weekday() < 5:
                left -= 1
    else:
        due = start_date + dt.timedelta(days=minimum)
    return end_date < due


def compared_bids(rel):
    """(winner amount, second amount) per price_close_to_winning_bid.md."""
    active = final_active_awards(rel)
    details = strict_list(rel, "bids", "details")
    if len(active) != 1:
        raise Bad("not one active award")
    sups = objects(active[0].get("suppliers"))
    if len(sups) != 1 or org_key(sups[0]) is None:
        raise Bad("not one supplier")
    winner = org_key(sups[0])
    valid = []
    for b in details:
        if bid_status(b) != "valid":
            continue
        t = tenderers(b)
        if len(t) != 1:
            raise Bad("valid bid without exactly one tenderer")
        valid.append((next(iter(t)),) + money(b.get("value")))
    if len({c for _, _, c in valid}) > 1:
        raise Bad("currencies")
    mine = [a for t, a, _ in valid if t == winner]
    others = [a for t, a, _ in valid if t != winner]
    if not mine or not others:
        raise Bad("nothing to compare")
    w, s = min(mine), min(others)
    if s < w or w <= 0:
        raise Bad("not price only")
    return (s - w) / w


def identical_bid_prices(ind, rel):
    seen = defaultdict(set)
    n = 0
    for b in strict_list(rel, "bids", "details"):
        if not submitted(b):
            continue
        t = tenderers(b)
        if not t or not priced(b):
            continue
        amount, currency = money(b.get("value"))
        seen[(amount, currency)].add(frozenset(t))
        n += 1
    if n < 2:
        raise Bad("fewer than two")
    return any(len(sets) > 1 for sets in seen.values())


def late_bid_won(ind, rel):
    end = get(rel, "tender", "tenderPeriod", "endDate")
    if end is None:
        raise Bad("no deadline")
    deadline = instant(end)
    if deadline is None:
        raise Bad("deadline not RFC 3339")
    active = active_awards(rel)
    if not active:
        raise Bad("no active award")
    winners = set().union(*(suppliers(a) for a in active))
    if not winners:
        raise Bad("no winner ids")
    details = strict_list(rel, "bids", "details")
    late, undated = False, False
    for b in details:
        if bid_status(b) != "valid" or not (tenderers(b) & winners):
            continue
        if b.get("date") is None:
            undated = True
            continue
        received = instant(b.get("date"))
        if received is None:
            raise Bad("bid date not RFC 3339")
        if received[0] > deadline[0]:
            late = True
    if late:
        return True
    if undated:
        raise Bad("undated")
    return False


def all_except_winner_disqualified(ind, rel):
    active = final_active_awards(rel)
    details = strict_list(rel, "bids", "details")
    winners = set().union(*(suppliers(a) for a in active)) if active else set()
    valid, disq = set(), set()
    for b in details:
        s = bid_status(b)
        if s == "valid":
            valid |= tenderers(b)
        elif s == "disqualified":
            disq |= tenderers(b)
    return len(valid) == 1 and valid == winners and len(disq - valid) >= ind.get("minimum_disqualified", 1)


def lowest_bid_disqualified(ind, rel):
    awards = strict_list(rel, "awards")
    if not any(award_status(a) == "active" for a in awards):
        raise Bad("no active award")
    bids = []
    for b in strict_list(rel, "bids", "details"):
        s = bid_status(b)
        if s in ("invited", "withdrawn") or not priced(b):
            continue
        bids.append((s,) + money(b.get("value")))
    if len({c for _, _, c in bids}) > 1:
        raise Bad("currencies")
    if not any(s == "valid" for s, _, _ in bids):
        raise Bad("no valid priced bid")
    low = min(a for _, a, _ in bids)
    return all(s == "disqualified" for s, a, _ in bids if a == low)


def contract_value_increase(ind, rel):
    contracts = rel.get("contracts")
    if contracts is not None and not isinstance(contracts, list):
        raise Bad("contracts not a list")
    awards = {ident(a.get("id")): a for a in reversed(objects(rel.get("awards"))) if ident(a.get("id"))}
    increases = []
    for c in objects(contracts):
        if c.get("status") == "cancelled":
            continue
        award = awards.get(ident(c.get("awardID")))
        if award is None:
            continue
        try:
            signed, cur = money(c.get("value"))
            awarded, acur = money(award.get("value"))
        except Bad:
            continue
        if cur != acur or awarded <= 0:
            continue
        increases.append((signed - awarded) / awarded)
    if not increases:
        raise Bad("nothing compared")
    return max(increases) > ind["maximum_increase"]


def new_supplier(ind, rel):
    active = active_awards(rel)
    if not active:
        raise Bad("no active award")
    opened = calendar_date(get(rel, "tender", "tenderPeriod", "startDate"))
    if opened is None:
        raise Bad("no opening")
    field = ind.get("registration_date_field", "registrationDate")
    parties = objects(rel.get("parties"))
    dated = 0
    for sid in sorted(set().union(*(suppliers(a) for a in active))):
        party = next((p for p in parties if ident(p.get("id")) == sid), None)
        registered = calendar_date(get(party, "details", field)) if party else None
        if registered is None:
            continue
        dated += 1
        if (opened - registered).days < ind["minimum_days"]:
            return True
    if not dated:
        raise Bad("no registration date")
    return False


def direct_award_above_threshold(ind, rel):
    method = get(rel, "tender", "procurementMethod")
    if method not in METHOD:
        raise Bad("method")
    if method not in ind.get("methods", ["direct"]):
        return False
    active = active_awards(rel)
    if not active:
        raise Bad("no active award")
    total = 0.0
    for a in active:
        amount, currency = money(a.get("value"))
        if currency != ind["currency"]:
            raise Bad("currency")
        total += amount
    category = get(rel, "tender", "mainProcurementCategory")
    threshold = ind.get("threshold_by_category", {}).get(category, ind["threshold"])
    return total >= threshold


PER_PROCESS = {
    "single_bid": single_bid,
    "short_tender_period": short_tender_period,
    "identical_bid_prices": identical_bid_prices,
    "late_bid_won": late_bid_won,
    "all_except_winner_disqualified": all_except_winner_disqualified,
    "lowest_bid_disqualified": lowest_bid_disqualified,
    "contract_value_increase": contract_value_increase,
    "new_supplier": new_supplier,
    "direct_award_above_threshold": direct_award_above_threshold,
}

# ---------------------------------------------------------------------------
# Indicators judged against all processes: [(ocid, rel)] -> {subject: verdict}


def bid_differences(ind, items, tail):
    out, ratios = {}, {}
    for ocid, rel in items:
        try:
            ratios[ocid] = compared_bids(rel)
        except Bad:
            out[("contracting_process", ocid)] = None
    f = fence(list(ratios.values()), ind, tail, need_q1=(tail == "lower"))
    for ocid, r in ratios.items():
        if f is None:
            out[("contracting_process", ocid)] = None
        else:
            out[("contracting_process", ocid)] = r <= f if tail == "lower" else r >= f
    return out


def excessive_unsuccessful_bids(ind, items):
    out, tally = {}, defaultdict(lambda: [0, 0])
    for ocid, rel in items:
        try:
            active = final_active_awards(rel)
            details = strict_list(rel, "bids", "details")
            if len(active) != 1:
                raise Bad("not one award")
            sups = objects(active[0].get("suppliers"))
            if len(sups) != 1 or org_key(sups[0]) is None:
                raise Bad("not one supplier")
            winner = org_key(sups[0])
            valid = set()
            for b in details:
                if bid_status(b) != "valid":
                    continue
                t = tenderers(b)
                if len(t) != 1:
                    raise Bad("several tenderers")
                valid |= t
            if not valid:
                raise Bad("no valid bids")
        except Bad:
            out[("process", ocid)] = None
            continue
        for t in valid:
            tally[t][0] += 1
            tally[t][1] += t == winner
    ratios = [w / b for b, w in tally.values()]
    f = fence(ratios, ind, "lower", need_q1=True)
    top = quantile8([b for b, _ in tally.values()], ind.get("percentile", 75) / 100) if tally else None
    for t, (bids, wins) in tally.items():
        if f is None:
            out[("tenderer", t)] = None
        else:
            frequent = bids >= top and bids >= ind.get("minimum_bids", 5)
            out[("tenderer", t)] = frequent and wins < bids and wins / bids <= f
    return out


def excessive_disqualified_bids(ind, items):
    out = {}
    per = ind.get("per", ["buyer", "procuring_entity", "tenderer"])
    orgs = {role: defaultdict(lambda: [0, 0, 0]) for role in per}  # processes, submitted, disqualified
    for ocid, rel in items:
        try:
            subs = [b for b in strict_list(rel, "bids", "details") if submitted(b)]
            if not subs:
                raise Bad("no submitted bids")
        except Bad:
            out[("process", ocid)] = None
            continue
        disq = sum(1 for b in subs if bid_status(b) == "disqualified")
        used = False
        for role in per:
            if role in ("buyer", "procuring_entity"):
                path = ("buyer",) if role == "buyer" else ("tender", "procuringEntity")
                oid = org_key(get(rel, *path))
                if oid is not None:
                    t = orgs[role][oid]
                    t[0], t[1], t[2] = t[0] + 1, t[1] + len(subs), t[2] + disq
                    used = True
            else:
                for b in subs:
                    for tid in tenderers(b):
                        t = orgs[role][tid]
                        t[1], t[2] = t[1] + 1, t[2] + (bid_status(b) == "disqualified")
                        used = True
        if not used:
            out[("process", ocid)] = None
    for role, tallies in orgs.items():
        minimum = ind.get("minimum_submitted_bids", 2) if role == "tenderer" else ind.get("minimum_contracting_processes", 2)
        size = (lambda t: t[1]) if role == "tenderer" else (lambda t: t[0])
        judged = {k: t[2] / t[1] for k, t in tallies.items() if size(t) >= minimum}
        f = fence(list(judged.values()), ind, "upper")
        for k, t in tallies.items():
            if k not in judged or f is None:
                out[(role, k)] = None
            else:
                out[(role, k)] = judged[k] >= f
    return out


def heterogeneous_supplier(ind, items):
    out, tally = {}, defaultdict(lambda: [0, set()])
    digits = ind.get("digits", 2)
    for ocid, rel in items:
        try:
            active = active_awards(rel)
        except Bad:
            out[("process", ocid)] = None
            continue
        seen = defaultdict(set)
        for a in active:
            sups = objects(a.get("suppliers"))
            if len(sups) != 1 or org_key(sups[0]) is None:
                continue
            for item in objects(a.get("items")):
                code = ident(get(item, "classification", "id"))
                if code is not None:
                    seen[org_key(sups[0])].add(code[:digits])
        if not seen:
            out[("process", ocid)] = None
        for s, divisions in seen.items():
            tally[s][0] += 1
            tally[s][1] |= divisions
    minimum = ind.get("minimum_contracting_processes", 20)
    judged = {s: len(d) for s, (n, d) in tally.items() if n >= minimum}
    if ind.get("threshold") is not None:
        f = float(ind["threshold"])
    elif len(judged) >= ind.get("minimum_sample", 10) and judged:
        vals = list(judged.values())
        q1, q3 = quantile8(vals, 0.25), quantile8(vals, 0.75)
        f = q3 + 1.5 * (q3 - q1)
    else:
        f = None
    for s in tally:
        out[("supplier", s)] = None if s not in judged or f is None else judged[s] >= f
    return out


def complaints(rel):
    lists = [rel.get("complaints"), get(rel, "tender", "complaints")]
    lists += [a.get("complaints") for a in objects(rel.get("awards"))]
    present = [x for x in lists if x is not None]
    if not present or not all(isinstance(x, list) for x in present):
        raise Bad("no complaints data")
    return sum(len(x) for x in present)


def by_buyer_share(ind, items, measure, kind="buyer"):
    """Shared shape of the buyer-level indicators: measure(rel) -> contribution."""
    out, tally = {}, defaultdict(list)
    for ocid, rel in items:
        try:
            b = buyer_id(rel)
            contribution = measure(rel)
        except Bad:
            out[("process", ocid)] = None
            continue
        tally[b].append(contribution)
    return out, tally


def high_complaint_rate(ind, items):
    out, tally = by_buyer_share(ind, items, complaints)
    minimum = ind.get("minimum_contracting_processes", 5)
    rates = {b: sum(1 for c in cs if c > 0) / len(cs) for b, cs in tally.items() if len(cs) >= minimum}
    f = fence(list(rates.values()), ind, "upper")
    for b in tally:
        out[("buyer", b)] = None if b not in rates or f is None else rates[b] >= f
    return out


def awarded_values(rel):
    active = active_awards(rel)
    if not active:
        raise Bad("no active award")
    values = []
    for a in active:
        sups = [org_key(s) for s in objects(a.get("suppliers")) if org_key(s) is not None]
        if len(objects(a.get("suppliers"))) != 1 or len(sups) != 1:
            raise Bad("value cannot be attributed")
        values.append((sups[0],) + money(a.get("value")))
    return values


def supplier_concentration(ind, items):
    out, tally = by_buyer_share(ind, items, awarded_values)
    minimum = ind.get("minimum_contracting_processes", 5)
    shares = {}
    for b, processes in tally.items():
        if len(processes) < minimum:
            continue
        currencies = {c for p in processes for _, _, c in p}
        totals = defaultdict(float)
        for p in processes:
            for s, amount, _ in p:
                totals[s] += amount
        total = sum(totals.values())
        if len(currencies) == 1 and total > 0:
            shares[b] = max(totals.values()) / total
    f = fence(list(shares.values()), ind, "upper")
    for b in tally:
        out[("buyer", b)] = None if b not in shares or f is None else shares[b] >= f
    return out


def winners(rel):
    active = active_awards(rel)
    if not active:
        raise Bad("no active award")
    ids = set().union(*(suppliers(a) for a in active))
    if not ids:
        raise Bad("no supplier ids")
    return ids


def repeat_supplier(ind, items):
    out, tally = by_buyer_share(ind, items, winners)
    minimum = ind.get("minimum_contracting_processes", 5)
    shares = {}
    for b, processes in tally.items():
        counts = defaultdict(int)
        for ids in processes:
            for s in ids:
                counts[s] += 1
        for s, n in counts.items():
            shares[(b, s)] = n / len(processes) if len(processes) >= minimum else None
    f = fence([v for v in shares.values() if v is not None], ind, "upper")
    for (b, s), share in shares.items():
        out[("buyer_supplier", f"{b} / {s}")] = None if share is None or f is None else share >= f
    return out


def bid_rotation(ind, items):
    out, groups = {}, defaultdict(list)
    lo, hi = ind.get("minimum_group_size", 2), ind.get("maximum_group_size", 10)
    for ocid, rel in items:
        try:
            active = final_active_awards(rel)
            group = set()
            for b in strict_list(rel, "bids", "details"):
                if submitted(b):
                    group |= tenderers(b)
            if not lo <= len(group) <= hi:
                raise Bad("group size")
            won = set().union(*(suppliers(a) for a in active)) if active else set()
            if len(won) != 1 or not won <= group:
                raise Bad("not one winner in the group")
        except Bad:
            out[("process", ocid)] = None
            continue
        groups[tuple(sorted(group))].append(next(iter(won)))
    for members, wins in groups.items():
        key = ("bidder_group", " + ".join(members))
        if len(wins) < ind.get("minimum_contracting_processes", 3):
            out[key] = None
        else:
            out[key] = set(members) <= set(wins)
    return out


def split_purchases(ind, items):
    out, pairs = {}, defaultdict(list)
    threshold, currency = ind["threshold"], ind["currency"]
    floor = threshold * (1 - ind.get("margin", 0.2))
    for ocid, rel in items:
        try:
            b = buyer_id(rel)
            active = active_awards(rel)
            if not active:
                raise Bad("no active award")
            bought = {}
            for a in active:
                sups = objects(a.get("suppliers"))
                if len(sups) != 1 or org_key(sups[0]) is None:
                    raise Bad("value cannot be attributed")
                amount, cur = money(a.get("value"))
                if cur != currency:
                    raise Bad("currency")
                date = calendar_date(a.get("date"))
                if date is None:
                    raise Bad("no award date")
                s = org_key(sups[0])
                total, first = bought.get(s, (0.0, date))
                bought[s] = (total + amount, min(first, date))
        except Bad:
            out[("process", ocid)] = None
            continue
        for s, (total, date) in bought.items():
            if floor <= total < threshold:
                pairs[(b, s)].append((date, ocid, total))
    window, minimum = ind.get("window_days", 30), ind.get("minimum_count", 2)
    for (b, s), purchases in pairs.items():
        purchases.sort()
        best = []
        for i, (first, _, _) in enumerate(purchases):
            inside = [p for p in purchases[i:] if (p[0] - first).days <= window]
            if len(inside) > len(best):
                best = inside
        out[("buyer_supplier", f"{b} / {s}")] = len(best) >= minimum and sum(p[2] for p in best) >= threshold
    return out


AGGREGATE = {
    "price_close_to_winning_bid": lambda ind, items: bid_differences(ind, items, "lower"),
    "heavily_discounted_bid": lambda ind, items: bid_differences(ind, items, "upper"),
    "excessive_unsuccessful_bids": excessive_unsuccessful_bids,
    "excessive_disqualified_bids": excessive_disqualified_bids,
    "heterogeneous_supplier": heterogeneous_supplier,
    "high_complaint_rate": high_complaint_rate,
    "supplier_concentration": supplier_concentration,
    "repeat_supplier": repeat_supplier,
    "bid_rotation": bid_rotation,
    "split_purchases": split_purchases,
}

KINDS = set(PER_PROCESS) | set(AGGREGATE)
# Kinds whose subjects are contracting processes, though judged against all.
PROCESS_SUBJECTS = set(PER_PROCESS) | {"price_close_to_winning_bid", "heavily_discounted_bid"}

# ---------------------------------------------------------------------------


def excluded(ind, rel):
    """The common filters of docs/indicators/README.md."""
    status = get(rel, "tender", "status")
    excluded_statuses = ind.get("excluded_tender_statuses", ["cancelled"])
    if isinstance(status, str) and status in excluded_statuses:
        return True
    if isinstance(status, str) and excluded_statuses and status not in TENDER:
        return True  # an unknown status may be an excluded one written otherwise
    methods = ind.get("procurement_methods", [])
    if methods and get(rel, "tender", "procurementMethod") not in methods:
        return True
    details = get(rel, "tender", "procurementMethodDetails")
    details = details if isinstance(details, str) else None
    only = ind.get("procurement_method_details", [])
    if only and details not in only:
        return True
    return details is not None and details in ind.get("excluded_procurement_method_details", [])


def judge(ind, processes, codelists):
    """{subject: True / False / None} for one indicator over {ocid: release}."""
    prefixes = ind.get("ocid_prefixes", [])
    out, items = {}, []
    for ocid in sorted(processes):
        if prefixes and not any(ocid.startswith(p) for p in prefixes):
            continue
        rel = normalize(processes[ocid], codelist_for(codelists, ocid))
        if excluded(ind, rel):
            out[("contracting_process" if ind["kind"] in PROCESS_SUBJECTS else "process", ocid)] = None
            continue
        items.append((ocid, rel))
    kind = ind["kind"]
    if kind in PER_PROCESS:
        for ocid, rel in items:
            try:
                out[("contracting_process", ocid)] = bool(PER_PROCESS[kind](ind, rel))
            except Bad:
                out[("contracting_process", ocid)] = None
    else:
        out.update(AGGREGATE[kind](ind, items))
    return out
