"""Best guesses for a mapping, from a file's headers and a sample of its values.

What the Data page's mapping step preselects: for each contract column the file's column
whose header reads most like one of the column's names (the contract's, its aliases, the
PRSB Social Prescribing Information Standard's item names, and the words source systems use)
and whose values fit its type; for each code found in the file the contract value it most
plausibly means; and the date format the file's dates are written in. Guesses are only
suggestions: the analyst sees and corrects every one before anything loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from difflib import SequenceMatcher, get_close_matches

import duckdb

from dashboard.data.contract import KINDS, PRSB_ITEMS, Column, columns, normalise_header
from dashboard.data.ingest.mapping import AGE_KEY, value_key
from dashboard.data.ingest.typed import DATE_SHAPE, MAX_AGE
from dashboard.data.readers import Staged

# Codes listed for mapping, per column: the most common first.
MAX_CODES = 50
# Different values sampled per column, to judge what its values are.
_SAMPLE = 200
# How well a header must suit a column to be guessed for it (from 0 to 1).
_THRESHOLD = 0.55
_AGES = {"age_band", AGE_KEY}

# Headers source systems use, beyond the contract's aliases.
_HEADER_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "referrals": {
        "referral_id": ("Client ref", "Case ref", "Case ID", "Referral number", "Referral no"),
        "person_id": ("Client ref", "Client ID", "Patient ID", "Service user ID", "Person ref"),
        "pcn_code": ("PCN", "Network code", "PCN ODS code"),
        "practice_code": ("Practice", "Surgery", "Practice ODS", "Surgery code"),
        "referral_date": (
            "Date referred", "Referred date", "Referral received", "Received", "Date received",
        ),
        "referral_source": ("Referred by", "Referrer", "Source", "Referral route"),
        "reason": ("Main need", "Primary reason", "Need", "Referral reason", "Main reason"),
        AGE_KEY: ("Age", "Age at referral", "Age years", "Age in years"),
        "age_band": ("Age band", "Age range", "Age group"),
        "sex": ("Gender", "Sex"),
        "ethnicity": ("Ethnic group", "Ethnicity", "Ethnic origin", "Ethnic background"),
        "imd_decile": ("IMD", "IMD decile", "Deprivation"),
        "first_contact_date": (
            "First contact", "Date first contacted", "First appointment", "Date first seen",
            "First seen",
        ),
        "end_date": (
            "Closed", "Date closed", "Discharged", "Date discharged", "Closure date", "Case closed",
        ),
        "status": ("Status", "Case status", "Outcome", "Closure reason"),
    },
}

# The words source systems write for contract values. The longest phrase found wins, so
# "Closed - declined" is declined, not completed.
_VALUE_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "referral_source": {
        "gp": ("gp", "doctor", "dr", "general practitioner", "gp practice", "physician"),
        "nurse": ("nurse", "practice nurse", "district nurse", "nursing"),
        "other_clinician": (
            "clinician", "pharmacist", "physio", "physiotherapist", "paramedic",
            "health visitor", "occupational therapist", "arrp", "mental health practitioner",
        ),
        "practice_staff": (
            "receptionist", "reception", "care navigator", "practice staff", "admin",
            "practice manager", "care coordinator", "health and wellbeing coach",
        ),
        "self": ("self", "self referral", "self-referral", "self referred", "own"),
        "vcse": ("vcse", "voluntary", "charity", "community group", "third sector"),
        "social_care": ("social care", "social worker", "social services", "council"),
        "secondary_care": (
            "hospital", "secondary care", "consultant", "a&e", "outpatient", "discharge team",
        ),
        "other": ("other", "family", "friend", "carer"),
    },
    "reason": {
        "loneliness": ("lonely", "loneliness", "isolation", "isolated", "social isolation"),
        "mental_wellbeing": (
            "mental", "mental health", "wellbeing", "low mood", "anxiety", "depression",
            "stress", "emotional",
        ),
        "money": ("money", "debt", "financial", "finance", "finances", "benefits", "income"),
        "housing": ("housing", "homeless", "accommodation", "home", "tenancy"),
        "physical_activity": (
            "physical activity", "exercise", "activity", "fitness", "weight", "inactive",
        ),
        "long_term_condition": (
            "long term condition", "long-term condition", "ltc", "diabetes", "copd",
            "chronic", "pain",
        ),
        "carer": ("carer", "caring", "carer support"),
        "bereavement": ("bereavement", "bereaved", "grief", "loss"),
        "employment": ("employment", "job", "work", "unemployed", "training", "education"),
        "other": ("other",),
    },
    "sex": {
        "female": ("female", "woman", "f", "w", "girl"),
        "male": ("male", "man", "m", "boy"),
        "other": ("other", "non-binary", "non binary", "indeterminate"),
        "unknown": ("unknown", "not known", "not stated", "u", "x", "prefer not to say"),
    },
    "ethnicity": {
        "white": (
            "white", "white british", "white irish", "irish", "gypsy", "traveller", "roma",
            "other white", "any other white background",
        ),
        "mixed": (
            "mixed", "multiple", "white and black", "white and asian", "mixed or multiple",
        ),
        "asian": ("asian", "indian", "pakistani", "bangladeshi", "chinese"),
        "black": ("black", "african", "caribbean"),
        "other": ("other ethnic", "arab", "any other", "other"),
        "not_stated": (
            "not stated", "not known", "unknown", "prefer not to say", "declined", "refused",
        ),
    },
    "status": {
        "referred": (
            "referred", "new", "open", "awaiting contact", "waiting", "received", "pending",
        ),
        "contacted": ("contacted", "first contact", "contact made", "assessed", "triaged"),
        "engaged": ("engaged", "active", "ongoing", "in progress", "open active", "supported"),
        "completed": (
            "completed", "complete", "goals met", "goals achieved", "finished", "discharged",
            "closed",
        ),
        "declined": ("declined", "refused", "withdrew", "withdrawn", "did not engage", "opted out"),
        "not_contactable": (
            "not contactable", "no contact", "unable to contact", "uncontactable", "no response",
            "could not contact",
        ),
        "did_not_attend": ("did not attend", "dna", "no show", "missed"),
    },
    "setting": {
        "gp_appointment": ("gp", "gp appointment", "appointment", "consultation", "surgery"),
        "ae_attendance": ("a&e", "ae", "a and e", "emergency department", "ed", "ed attendance"),
        "nonelective_admission": (
            "admission", "emergency admission", "non-elective", "non elective", "inpatient",
        ),
    },
}

# NHS data dictionary codes, matched only as the whole value.
_WHOLE_CODES: dict[str, dict[str, str]] = {
    "sex": {"1": "male", "2": "female", "9": "other", "0": "unknown"},
    "ethnicity": {
        **dict.fromkeys("abc", "white"),
        **dict.fromkeys("defg", "mixed"),
        **dict.fromkeys("hjkl", "asian"),
        **dict.fromkeys("mnp", "black"),
        **dict.fromkeys("rs", "other"),
        "z": "not_stated",
        "99": "not_stated",
    },
}

# Date formats a source system may write, for the mapping's [dates] format.
DATE_FORMATS = (
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%y",
    "%d/%m/%y",
    "%d-%m-%y",
    "%d.%m.%y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d %b %Y %H:%M",
    "%m/%d/%Y",
)


@dataclass(frozen=True)
class Profile:
    """What the mapping step knows of a file: its headers, and per column its commonest values
    (with their rows), how many different values it has, and a sample of them."""

    headers: list[str]
    rows: int
    codes: list[list[tuple[str, int]]]
    distinct: list[int]
    samples: list[list[str]]


def profile(con: duckdb.DuckDBPyConnection, staged: Staged) -> Profile:
    """The file's profile, read from its staging table."""
    codes, distinct, samples = [], [], []
    for index in range(len(staged.headers)):
        value = f"nullif(trim(c{index}), '')"
        commonest = con.execute(
            f"select v, n, count(*) over () as different from ("  # noqa: S608
            f"select {value} as v, count(*) as n from {staged.table} where v is not null "
            "group by v) order by n desc, v limit $limit",
            {"limit": MAX_CODES},
        ).fetchall()
        codes.append([(v, n) for v, n, _ in commonest])
        distinct.append(commonest[0][2] if commonest else 0)
        samples.append(
            [
                row[0]
                for row in con.execute(
                    f"select distinct {value} as v from {staged.table} "  # noqa: S608
                    "where v is not null limit $limit",
                    {"limit": _SAMPLE},
                ).fetchall()
            ]
        )
    return Profile(staged.headers, staged.rows, codes, distinct, samples)


# ---------------------------------------------------------------------------------------------
# Columns


def _names(kind: str, column: str, contract: Column | None) -> list[str]:
    names = [column]
    if contract:
        names += list(contract.aliases)
    names += PRSB_ITEMS.get(kind, {}).get(column, ())
    names += _HEADER_WORDS.get(kind, {}).get(column, ())
    return [normalise_header(n) for n in names]


def _name_score(header: str, names: list[str]) -> float:
    header = normalise_header(header)
    if not header:
        return 0.0
    if header in names:
        return 1.0
    return max(SequenceMatcher(None, header, name).ratio() for name in names)


def _fraction(values: list[str], test) -> float:
    return sum(1 for v in values if test(v)) / len(values) if values else 0.0


def _whole(value: str) -> int | None:
    text = value.strip()
    return int(float(text)) if re.fullmatch(r"[+-]?\d+(\.0*)?", text) else None


def _is_date(value: str, date_format: str | None) -> bool:
    """Whether the value is a UK or ISO date, or one in the format."""
    if re.fullmatch(DATE_SHAPE, value.strip()):
        return True
    return bool(date_format) and _is_date_in(value, date_format)


def _fit(column: Column | None, key: str, values: list[str], date_format: str | None) -> float:
    """How well a sample of a file's column fits a contract column's type, from 0 to 1."""
    if not values:
        return 0.0
    if key == AGE_KEY:
        return _fraction(values, lambda v: (a := _whole(v)) is not None and 0 <= a <= MAX_AGE)
    if column.allowed:
        return _fraction(values, lambda v: guess_value(column, v) is not None)
    if column.python_type is date:
        written = date_format or guess_date_format(values)
        return _fraction(values, lambda v: _is_date(v, written))
    if column.pattern:
        return _fraction(values, lambda v: re.fullmatch(column.pattern, v.strip().upper()))
    if column.python_type is int:
        low = column.minimum if column.minimum is not None else float("-inf")
        high = column.maximum if column.maximum is not None else float("inf")
        return _fraction(values, lambda v: (n := _whole(v)) is not None and low <= n <= high)
    if column.python_type is float:
        return _fraction(values, lambda v: re.fullmatch(r"[+-]?\d+(\.\d+)?", v.strip()))
    return 1.0


def targets(kind: str) -> list[tuple[str, Column | None]]:
    """What a mapping may name, in contract order: each column, and for referrals `age` (an
    age in years, None for its Column) just before age_band."""
    found: list[tuple[str, Column | None]] = [(c.name, c) for c in columns(kind)]
    if kind == "referrals":
        found.insert([name for name, _ in found].index("age_band"), (AGE_KEY, None))
    return found


def _scores(kind: str, found: Profile, date_format: str | None) -> dict[str, list[float]]:
    """How well each header suits each column: its name's likeness, weighed by its values' fit
    (a score never exceeds the name's, so values are sampled only for likely names)."""
    scores = {}
    for key, column in targets(kind):
        names = _names(kind, key, column)
        row = []
        for header, sample in zip(found.headers, found.samples, strict=True):
            name = _name_score(header, names)
            fit = _fit(column, key, sample, date_format) if name >= _THRESHOLD else 0.0
            row.append(name * (0.4 + 0.6 * fit))
        scores[key] = row
    return scores




def guess_columns(kind: str, found: Profile, date_format: str | None = None) -> dict[str, str]:
    """The file's header for each contract column (and `age`), best pairs first.

    A header goes to one column, except that a required column left without one may share
    the header that suits it (a case system's `Client Ref` is both referral and person).
    """
    scores = _scores(kind, found, date_format)
    pairs = sorted(
        ((score, key, index) for key, row in scores.items() for index, score in enumerate(row)),
        reverse=True,
    )
    chosen: dict[str, int] = {}
    for score, key, index in pairs:
        if score < _THRESHOLD:
            break
        if key in chosen or index in chosen.values():
            continue
        if key in _AGES and _AGES & chosen.keys():  # an age or a band, not both
            continue
        chosen[key] = index
    required = {c.name for c in columns(kind) if c.required}
    if AGE_KEY in chosen:
        required.discard("age_band")
    for key in required - set(chosen):
        best = max(range(len(found.headers)), key=lambda i: scores[key][i], default=None)
        if best is not None and scores[key][best] >= _THRESHOLD:
            chosen[key] = best
    order = [key for key, _ in targets(kind)]
    return {key: found.headers[chosen[key]] for key in sorted(chosen, key=order.index)}


def guess_kind(found: Profile) -> str:
    """The kind whose required columns the file's columns suit best."""

    def suitability(kind: str) -> float:
        scores = _scores(kind, found, None)
        if kind == "referrals":  # an age in years serves for the age band
            scores["age_band"] = [max(a, b) for a, b in zip(*(scores[k] for k in _AGES), strict=True)]
        required = [c.name for c in columns(kind) if c.required]
        return sum(max(scores[c], default=0.0) for c in required) / len(required)

    return max(KINDS, key=suitability)


# ---------------------------------------------------------------------------------------------
# Codes and dates


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9&]+", text.lower())) + " "


def guess_value(column: Column, value: str) -> str | None:
    """The contract value a file's code most plausibly means, or None."""
    allowed = column.allowed or ()
    key = normalise_header(value)
    for candidate in allowed:
        if normalise_header(candidate) == key:
            return candidate
    whole = _WHOLE_CODES.get(column.name, {}).get(value_key(value))
    if whole:
        return whole
    words = _words(value)
    best, best_length = None, 0
    for candidate, phrases in _VALUE_WORDS.get(column.name, {}).items():
        for phrase in phrases:
            if _words(phrase) in words and len(phrase) > best_length:
                best, best_length = candidate, len(phrase)
    if best:
        return best
    close = get_close_matches(key, [normalise_header(c) for c in allowed], n=1, cutoff=0.8)
    if close:
        return next(c for c in allowed if normalise_header(c) == close[0])
    return None


def guess_date_format(values: list[str]) -> str | None:
    """A [dates] format for dates written neither ISO nor UK, or None when they are."""
    values = [v for v in values if v and v.strip()]
    if not values or _fraction(values, lambda v: re.fullmatch(DATE_SHAPE, v.strip())) >= 0.9:
        return None
    best, best_fit = None, 0.0
    for pattern in DATE_FORMATS:
        fit = _fraction(values, lambda v, p=pattern: _is_date_in(v, p))
        if fit > best_fit:
            best, best_fit = pattern, fit
    return best if best_fit >= 0.9 else None


def guess_file_date_format(kind: str, found: Profile) -> str | None:
    """The format of the dates in the file's columns that look like the kind's date columns."""
    dates = {c.name for c in columns(kind) if c.python_type is date}
    return guess_date_format(
        [
            value
            for key, header in guess_columns(kind, found).items()
            if key in dates
            for value in found.samples[found.headers.index(header)]
        ]
    )


def _is_date_in(value: str, pattern: str) -> bool:
    try:
        return datetime.strptime(value.strip(), pattern).date() <= date(2100, 1, 1)
    except ValueError:
        return False
