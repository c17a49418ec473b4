"""The data contract: one pydantic model per extract kind.

Everything else reads the contract from here: the database schema, load validation,
template CSVs and the data dictionary page. Change a rule once, here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

PCN_CODE_PATTERN = r"^U\d{5}$"
PRACTICE_CODE_PATTERN = r"^[A-Z]\d{5}$"


class ReferralSource(StrEnum):
    gp = "gp"
    nurse = "nurse"
    other_clinician = "other_clinician"
    practice_staff = "practice_staff"
    self = "self"
    vcse = "vcse"
    social_care = "social_care"
    secondary_care = "secondary_care"
    other = "other"


class Reason(StrEnum):
    loneliness = "loneliness"
    mental_wellbeing = "mental_wellbeing"
    money = "money"
    housing = "housing"
    physical_activity = "physical_activity"
    long_term_condition = "long_term_condition"
    carer = "carer"
    bereavement = "bereavement"
    employment = "employment"
    other = "other"


class AgeBand(StrEnum):
    a0_17 = "0-17"
    a18_24 = "18-24"
    a25_34 = "25-34"
    a35_44 = "35-44"
    a45_54 = "45-54"
    a55_64 = "55-64"
    a65_74 = "65-74"
    a75_84 = "75-84"
    a85_plus = "85+"


class Sex(StrEnum):
    female = "female"
    male = "male"
    other = "other"
    unknown = "unknown"


class Ethnicity(StrEnum):
    white = "white"
    mixed = "mixed"
    asian = "asian"
    black = "black"
    other = "other"
    not_stated = "not_stated"


class Status(StrEnum):
    referred = "referred"
    contacted = "contacted"
    engaged = "engaged"
    completed = "completed"
    declined = "declined"
    not_contactable = "not_contactable"
    did_not_attend = "did_not_attend"


class Measure(StrEnum):
    wellbeing_star = "wellbeing_star"
    ons4 = "ons4"
    swemwbs = "swemwbs"
    wemwbs = "wemwbs"


class Setting(StrEnum):
    gp_appointment = "gp_appointment"
    ae_attendance = "ae_attendance"
    nonelective_admission = "nonelective_admission"


class Period(StrEnum):
    before = "before"
    after = "after"


class Cohort(StrEnum):
    referred = "referred"
    comparison = "comparison"


class Activity(StrEnum):
    arts = "arts"
    befriending = "befriending"
    gardening = "gardening"
    cooking = "cooking"
    healthy_eating = "healthy_eating"
    volunteering = "volunteering"
    walking = "walking"
    dance = "dance"
    sport = "sport"
    group_learning = "group_learning"
    advice_money = "advice_money"
    advice_housing = "advice_housing"
    mental_health_support = "mental_health_support"
    other = "other"


class Funding(StrEnum):
    funded = "funded"
    unfunded = "unfunded"
    time_limited = "time_limited"


class ServiceStatus(StrEnum):
    open = "open"
    closed = "closed"
    paused = "paused"


class OnwardResult(StrEnum):
    attended = "attended"
    accepted = "accepted"
    waitlisted = "waitlisted"
    declined_no_capacity = "declined_no_capacity"
    service_closed = "service_closed"
    did_not_attend = "did_not_attend"
    declined_by_person = "declined_by_person"


# The four NIHR activity groups (plus "other") that every activity rolls up to.
ACTIVITY_GROUP: dict[str, str] = {
    "advice_money": "advice and guidance",
    "advice_housing": "advice and guidance",
    "mental_health_support": "advice and guidance",
    "befriending": "advice and guidance",
    "gardening": "natural world",
    "walking": "natural world",
    "arts": "arts and creativity",
    "dance": "arts and creativity",
    "group_learning": "arts and creativity",
    "sport": "sport and exercise",
    "cooking": "other",
    "healthy_eating": "other",
    "volunteering": "other",
    "other": "other",
}

MEASURE_RANGE: dict[str, tuple[float, float]] = {
    "wellbeing_star": (1, 5),
    "ons4": (0, 10),
    "swemwbs": (7, 35),
    "wemwbs": (14, 70),
}

MEASURE_DOMAINS: dict[str, tuple[str, ...]] = {
    "wellbeing_star": (
        "feeling_positive",
        "lifestyle",
        "looking_after_yourself",
        "managing_symptoms",
        "work_volunteering",
        "money",
        "where_you_live",
        "family_friends",
    ),
    "ons4": ("life_satisfaction", "worthwhile", "happiness", "anxiety"),
    "swemwbs": ("total",),
    "wemwbs": ("total",),
}

# What each code of the contract reads as on screen, in a table, on a slide. Codes stay in
# the data and the CSV downloads; people read these. Codes not named here read as themselves
# with spaces (`looking_after_yourself` -> `Looking after yourself`).
LABELS: dict[str, str] = {
    # referral_source
    "gp": "GP",
    "other_clinician": "Other clinician",
    "practice_staff": "Practice staff",
    "self": "Self-referral",
    "vcse": "VCSE organisation",
    "social_care": "Social care",
    "secondary_care": "Hospital (secondary care)",
    # reason
    "long_term_condition": "Long-term condition",
    "carer": "Caring",
    # ethnicity and sex
    "not_stated": "Not stated",
    # status, and the funnel's open stage
    "not_contactable": "Not contactable",
    "did_not_attend": "Did not attend",
    # measure
    "wellbeing_star": "Wellbeing Star",
    "ons4": "ONS4",
    "swemwbs": "SWEMWBS",
    "wemwbs": "WEMWBS",
    # domains
    "work_volunteering": "Work and volunteering",
    "family_friends": "Family and friends",
    "total": "Total score",
    # setting
    "gp_appointment": "GP appointments",
    "ae_attendance": "A&E attendances",
    "nonelective_admission": "Emergency admissions",
    # cohort
    "comparison": "Comparison group",
    # activity
    "advice_money": "Advice and money",
    "advice_housing": "Advice and housing",
    # funding, and the funding of an onward referral with no known service
    "time_limited": "Time-limited",
    "no_service_recorded": "No service recorded",
    "unknown_service": "Service not in the extract",
    # extract kinds
    "pcns": "PCNs and list sizes",
    "onward_referrals": "Onward referrals",
    # onward referral result
    "declined_no_capacity": "Declined: no capacity",
    "declined_by_person": "Declined by the person",
}

def label(code: object) -> str:
    """The plain-English name of a contract code: `family_friends` -> `Family and friends`,
    `gp_appointment` -> `GP appointments`; any other code reads as itself with spaces, its
    first letter a capital (`ONS4: anxiety` keeps its acronym)."""
    text = str(code)
    if text in LABELS:
        return LABELS[text]
    spaced = text.replace("_", " ")
    return spaced[:1].upper() + spaced[1:]


# Item names of the PRSB Social Prescribing Information Standard (v1.1) where one maps to a
# contract column: shown in the data dictionary and the mapping step, and read as headers by
# the mapping step's guesses, so that an export that follows the standard is recognised.
PRSB_ITEMS: dict[str, dict[str, tuple[str, ...]]] = {
    "referrals": {
        "referral_date": ("Referral date", "Date of referral"),
        "referral_source": ("Referrer", "Referrer type", "Referral source"),
        "reason": ("Reason for referral", "Needs and concerns", "Presenting need"),
        "practice_code": ("GP practice identifier", "GP practice"),
        "sex": ("Person stated gender", "Gender"),
        "ethnicity": ("Ethnic category",),
        "first_contact_date": ("Date of first contact", "Initial contact date"),
        "end_date": ("Discharge date", "End of social prescribing support date"),
        "status": ("Referral status", "Discharge reason", "Outcome of referral"),
    },
    "outcomes": {
        "measure": ("Outcome measure", "Outcome measure name", "Assessment tool"),
        "baseline_score": ("Initial outcome score", "Baseline outcome score"),
        "followup_score": ("Follow-up outcome score", "Final outcome score"),
        "baseline_date": ("Initial assessment date",),
        "followup_date": ("Follow-up assessment date",),
    },
    "onward_referrals": {
        "activity": ("Community service or activity", "Support offered"),
        "onward_date": ("Date referred to activity", "Date referred"),
    },
}

# Population columns a pcns extract may carry, for equity denominators.
POPULATION_AGE_COLUMNS: dict[str, str] = {
    band.value: "pop_age_" + band.value.replace("-", "_").replace("+", "_plus") for band in AgeBand
}
POPULATION_IMD_COLUMNS: dict[int, str] = {q: f"pop_imd_q{q}" for q in range(1, 6)}
POPULATION_SEX_COLUMNS: dict[str, str] = {"female": "pop_female", "male": "pop_male"}


def _col(*aliases: str, example: Any, description: str, **field: Any) -> Any:
    """A contract field: its header aliases, an example value and a plain-English rule."""
    return Field(
        validation_alias=AliasChoices(*aliases) if aliases else None,
        description=description,
        json_schema_extra={"aliases": list(aliases), "example": example},
        **field,
    )


def _population(example: int, who: str) -> Any:
    return _col(example=example, description=f"registered patients {who}, optional", ge=0)


class _Extract(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, str_strip_whitespace=True)


class PcnRow(_Extract):
    """Reference list of Primary Care Networks and their registered population."""

    pcn_code: Annotated[
        str,
        _col(
            "PCN Code",
            "PCN_CODE",
            example="U12345",
            description="ODS PCN code: U and five digits",
            pattern=PCN_CODE_PATTERN,
        ),
    ]
    pcn_name: Annotated[
        str, _col("PCN Name", "PCN_NAME", example="Example Town PCN", description="PCN name")
    ]
    icb_code: Annotated[
        str | None,
        _col("ICB Code", "ICB_CODE", example="QWE", description="ICB code, optional"),
    ] = None
    list_size: Annotated[
        int,
        _col(
            "List size",
            "Registered patients",
            "NUMBER_OF_PATIENTS",
            example=42000,
            description="registered patients, at least 1",
            ge=1,
        ),
    ]
    list_size_date: Annotated[
        date | None,
        _col(
            "Extract date",
            "EXTRACT_DATE",
            "List size date",
            example="2025-04-01",
            description=(
                "the date of the list size (NHS Digital's EXTRACT_DATE); each date's list is "
                "kept, and a period's rates use the lists dated in it (default: the date of "
                "the load)"
            ),
        ),
    ] = None
    pop_age_0_17: Annotated[int | None, _population(8400, "aged 0-17")] = None
    pop_age_18_24: Annotated[int | None, _population(3400, "aged 18-24")] = None
    pop_age_25_34: Annotated[int | None, _population(5900, "aged 25-34")] = None
    pop_age_35_44: Annotated[int | None, _population(5900, "aged 35-44")] = None
    pop_age_45_54: Annotated[int | None, _population(5500, "aged 45-54")] = None
    pop_age_55_64: Annotated[int | None, _population(5300, "aged 55-64")] = None
    pop_age_65_74: Annotated[int | None, _population(4200, "aged 65-74")] = None
    pop_age_75_84: Annotated[int | None, _population(2700, "aged 75-84")] = None
    pop_age_85_plus: Annotated[int | None, _population(700, "aged 85+")] = None
    pop_imd_q1: Annotated[int | None, _population(8400, "in IMD quintile 1 (most deprived)")] = None
    pop_imd_q2: Annotated[int | None, _population(8400, "in IMD quintile 2")] = None
    pop_imd_q3: Annotated[int | None, _population(8400, "in IMD quintile 3")] = None
    pop_imd_q4: Annotated[int | None, _population(8400, "in IMD quintile 4")] = None
    pop_imd_q5: Annotated[int | None, _population(8400, "in IMD quintile 5 (least deprived)")] = (
        None
    )
    pop_female: Annotated[int | None, _population(21000, "female")] = None
    pop_male: Annotated[int | None, _population(21000, "male")] = None


class ReferralRow(_Extract):
    """One referral to the social prescribing service (SNOMED CT 871731000000106)."""

    referral_id: Annotated[
        str,
        _col(
            "Referral ID",
            "Referral reference",
            example="R0000001",
            description="unique referral reference",
        ),
    ]
    person_id: Annotated[
        str,
        _col(
            "Person ID",
            "Pseudonymised ID",
            "Patient pseudonym",
            example="P0000001",
            description="pseudonymised person identifier, never an NHS number",
        ),
    ]
    pcn_code: Annotated[
        str,
        _col(
            "PCN Code",
            "PCN",
            example="U12345",
            description="ODS PCN code: U and five digits",
            pattern=PCN_CODE_PATTERN,
        ),
    ]
    practice_code: Annotated[
        str | None,
        _col(
            "Practice Code",
            "GP practice code",
            "ODS code",
            example="A81001",
            description="ODS practice code, optional: a letter and five digits",
            pattern=PRACTICE_CODE_PATTERN,
        ),
    ] = None
    referral_date: Annotated[
        date,
        _col(
            "Date of referral",
            "Referral date",
            "Referral received date",
            example="2025-04-14",
            description="required, not in the future",
        ),
    ]
    referral_source: Annotated[
        ReferralSource,
        _col(
            "Referral source",
            "Source of referral",
            "Referred by",
            example="gp",
            description="who referred",
        ),
    ]
    reason: Annotated[
        Reason,
        _col(
            "Reason",
            "Primary need",
            "Reason for referral",
            "Needs and concerns",
            example="loneliness",
            description="primary need",
        ),
    ]
    age_band: Annotated[
        AgeBand, _col("Age band", "Age group", example="45-54", description="age band at referral")
    ]
    sex: Annotated[Sex, _col("Sex", "Gender", example="female", description="sex")]
    ethnicity: Annotated[
        Ethnicity,
        _col(
            "Ethnicity",
            "Ethnic group",
            "Ethnic category",
            example="white",
            description="ethnic group",
        ),
    ]
    imd_decile: Annotated[
        int | None,
        _col(
            "IMD decile",
            "Deprivation decile",
            example=3,
            description="Index of Multiple Deprivation decile, 1 (most deprived) to 10, optional",
            ge=1,
            le=10,
        ),
    ] = None
    first_contact_date: Annotated[
        date | None,
        _col(
            "First contact date",
            "Date of first contact",
            "Initial contact date",
            example="2025-04-22",
            description="optional, not before the referral date",
        ),
    ] = None
    end_date: Annotated[
        date | None,
        _col(
            "End date",
            "Discharge date",
            "Date closed",
            example="2025-07-30",
            description="optional, not before the referral date",
        ),
    ] = None
    status: Annotated[
        Status,
        _col(
            "Status",
            "Referral status",
            "Outcome of referral",
            example="completed",
            description="current status",
        ),
    ]

    @model_validator(mode="after")
    def _dates_in_order(self) -> ReferralRow:
        if self.referral_date > date.today():
            raise ValueError("referral_date is in the future")
        for name in ("first_contact_date", "end_date"):
            value = getattr(self, name)
            if value is not None and value < self.referral_date:
                raise ValueError(f"{name} is before referral_date")
        return self


class OutcomeRow(_Extract):
    """One measure and domain for one referral, at baseline and (optionally) follow-up."""

    referral_id: Annotated[
        str, _col("Referral ID", example="R0000001", description="should match a loaded referral")
    ]
    measure: Annotated[
        Measure,
        _col(
            "Measure",
            "Outcome measure",
            "Tool",
            example="wellbeing_star",
            description="outcome measure",
        ),
    ]
    domain: Annotated[
        str,
        _col(
            "Domain",
            "Item",
            example="feeling_positive",
            description="domain of the measure (total for SWEMWBS and WEMWBS)",
        ),
    ]
    baseline_score: Annotated[
        float,
        _col(
            "Baseline score",
            "Baseline",
            "Score at baseline",
            example=2,
            description="within the measure's range",
        ),
    ]
    followup_score: Annotated[
        float | None,
        _col(
            "Follow-up score",
            "Followup score",
            "Follow up",
            "Score at follow-up",
            example=4,
            description="within the measure's range, optional",
        ),
    ] = None
    baseline_date: Annotated[
        date | None, _col("Baseline date", example="2025-04-22", description="optional")
    ] = None
    followup_date: Annotated[
        date | None,
        _col("Follow-up date", "Followup date", example="2025-07-30", description="optional"),
    ] = None

    @model_validator(mode="after")
    def _score_in_range(self) -> OutcomeRow:
        low, high = MEASURE_RANGE[self.measure]
        if self.domain not in MEASURE_DOMAINS[self.measure]:
            raise ValueError(f"domain {self.domain!r} is not a domain of {self.measure}")
        for name in ("baseline_score", "followup_score"):
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                raise ValueError(f"{name} {value} is outside {low:g}-{high:g} for {self.measure}")
        return self


class UtilisationRow(_Extract):
    """Health-service use by one person in a window before or after their referral."""

    person_id: Annotated[
        str, _col("Person ID", example="P0000001", description="pseudonymised person")
    ]
    setting: Annotated[
        Setting,
        _col("Setting", "Activity type", example="gp_appointment", description="care setting"),
    ]
    period: Annotated[
        Period,
        _col(
            "Period",
            "Before or after",
            example="before",
            description="window before or after referral",
        ),
    ]
    window_months: Annotated[
        int,
        _col(
            "Window months",
            "Window",
            example=6,
            description=(
                "months in each window, 1-24; the same before and after, per person and setting"
            ),
            ge=1,
            le=24,
        ),
    ]
    count: Annotated[
        int,
        _col(
            "Count",
            "Number",
            "Attendances",
            example=3,
            description="events in the window, 0 or more",
            ge=0,
        ),
    ]
    cohort: Annotated[
        Cohort, _col("Cohort", "Group", example="referred", description="referred or comparison")
    ] = Cohort.referred
    pcn_code: Annotated[
        str | None,
        _col(
            "PCN Code",
            example="U12345",
            description="required for the comparison cohort",
            pattern=PCN_CODE_PATTERN,
        ),
    ] = None
    index_date: Annotated[
        date | None,
        _col("Index date", example="2025-04-14", description="required for the comparison cohort"),
    ] = None
    extract_date: Annotated[
        date | None,
        _col(
            "Extract date",
            "Date extracted",
            example="2025-12-31",
            description=(
                "when the counts were extracted; an after-window that had not ended by then is "
                "left out (default: the date of the load)"
            ),
        ),
    ] = None


class ServiceRow(_Extract):
    """A VCSE service that link workers refer into."""

    service_id: Annotated[
        str, _col("Service ID", example="S0001", description="unique service reference")
    ]
    provider_name: Annotated[
        str,
        _col(
            "Provider name",
            "Provider",
            "Organisation",
            example="Riverside Allotment Trust",
            description="provider",
        ),
    ]
    activity: Annotated[
        Activity,
        _col("Activity", "Activity type", example="gardening", description="main activity"),
    ]
    pcn_code: Annotated[
        str,
        _col(
            "PCN Code",
            "Area served",
            example="U12345",
            description="PCN served",
            pattern=PCN_CODE_PATTERN,
        ),
    ]
    monthly_capacity: Annotated[
        int,
        _col(
            "Monthly capacity",
            "Places",
            "Places per month",
            example=20,
            description="places a month, 0 or more",
            ge=0,
        ),
    ]
    funding: Annotated[
        Funding, _col("Funding", "Funding status", example="funded", description="funding status")
    ]
    funding_end_date: Annotated[
        date | None, _col("Funding end date", example="2026-03-31", description="optional")
    ] = None
    status: Annotated[
        ServiceStatus,
        _col("Status", "Service status", example="open", description="open, closed or paused"),
    ]
    waiting_list: Annotated[
        int | None,
        _col("Waiting list", "Waiting", example=4, description="people waiting, 0 or more", ge=0),
    ] = None


class OnwardReferralRow(_Extract):
    """A link worker's onward referral of a person to a VCSE activity."""

    onward_id: Annotated[
        str, _col("Onward ID", "Onward referral ID", example="O0000001", description="unique")
    ]
    referral_id: Annotated[
        str, _col("Referral ID", example="R0000001", description="should match a loaded referral")
    ]
    service_id: Annotated[
        str | None, _col("Service ID", example="S0001", description="optional")
    ] = None
    activity: Annotated[
        Activity,
        _col("Activity", "Activity type", example="gardening", description="activity referred to"),
    ]
    onward_date: Annotated[
        date,
        _col(
            "Onward date", "Date referred on", example="2025-05-02", description="not in the future"
        ),
    ]
    result: Annotated[
        OnwardResult,
        _col(
            "Result",
            "Outcome",
            example="attended",
            description="what happened to the onward referral",
        ),
    ]


@dataclass(frozen=True)
class Kind:
    """An extract kind: its model, the table it loads into and that table's key."""

    name: str
    model: type[BaseModel]
    key: tuple[str, ...]
    date_column: str | None


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("pcns", PcnRow, ("pcn_code",), None),
        Kind("referrals", ReferralRow, ("referral_id",), "referral_date"),
        Kind("outcomes", OutcomeRow, ("referral_id", "measure", "domain"), "baseline_date"),
        Kind("utilisation", UtilisationRow, ("person_id", "setting", "period"), "index_date"),
        Kind("services", ServiceRow, ("service_id",), None),
        Kind("onward_referrals", OnwardReferralRow, ("onward_id",), "onward_date"),
    )
}

_SQL_TYPES: dict[type, str] = {str: "varchar", int: "integer", float: "double", date: "date"}


@dataclass(frozen=True)
class Column:
    """One column of an extract, as the contract defines it."""

    name: str
    python_type: type
    required: bool
    allowed: tuple[str, ...] | None
    minimum: float | None
    maximum: float | None
    pattern: str | None
    aliases: tuple[str, ...]
    description: str
    example: Any
    default: Any

    @property
    def sql_type(self) -> str:
        return _SQL_TYPES[self.python_type]

    @property
    def type_label(self) -> str:
        if self.allowed:
            return "category"
        return {str: "text", int: "whole number", float: "number", date: "date"}[self.python_type]


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (Union, UnionType):
        args = [a for a in get_args(annotation) if a is not NoneType]
        return args[0], True
    return annotation, False


def columns(kind: str) -> list[Column]:
    """The columns of an extract kind, in contract order."""
    result = []
    for name, info in KINDS[kind].model.model_fields.items():
        annotation, optional = _unwrap_optional(info.annotation)
        allowed = None
        python_type = annotation
        if isinstance(annotation, type) and issubclass(annotation, StrEnum):
            allowed = tuple(member.value for member in annotation)
            python_type = str
        bounds: dict[str, Any] = {}
        for item in info.metadata:
            for attr in ("ge", "le", "pattern"):
                if getattr(item, attr, None) is not None:
                    bounds[attr] = getattr(item, attr)
        extra = info.json_schema_extra or {}
        default = info.default if not info.is_required() else None
        result.append(
            Column(
                name=name,
                python_type=python_type,
                required=info.is_required() and not optional,
                allowed=allowed,
                minimum=bounds.get("ge"),
                maximum=bounds.get("le"),
                pattern=bounds.get("pattern"),
                aliases=tuple(extra.get("aliases", ())),
                description=info.description or "",
                example=extra.get("example"),
                default=default.value if isinstance(default, StrEnum) else default,
            )
        )
    return result


def normalise_header(header: str) -> str:
    """Match headers ignoring case, spaces and punctuation (`Date of Referral`)."""
    return re.sub(r"[^a-z0-9+]", "", str(header).lower())


def column_names(kind: str) -> list[str]:
    return [column.name for column in columns(kind)]
