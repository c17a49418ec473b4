"""Settings that commissioners may change: read from settings.toml, validated by pydantic."""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_ENV = "SP_DASHBOARD_SETTINGS"


class ReferralBand(BaseModel):
    model_config = ConfigDict(frozen=True)

    low_per_1000: float = 8.0
    high_per_1000: float = 12.0
    source: str = (
        "NHS England, Network Contract DES Investment and Impact Fund 2022/23 guidance "
        "(0.8%-1.2% of the registered list a year)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> ReferralBand:
        if not 0 <= self.low_per_1000 <= self.high_per_1000:
            raise ValueError("the referral band needs 0 <= low_per_1000 <= high_per_1000")
        return self


class Outcomes(BaseModel):
    """Meaningful-change thresholds, in points of each measure."""

    model_config = ConfigDict(frozen=True)

    swemwbs_meaningful_change: float = Field(3.0, gt=0)
    wemwbs_meaningful_change: float = Field(3.0, gt=0)
    source: str = (
        "Warwick Medical School WEMWBS guidance; Shah et al. 2018 put the individual SWEMWBS "
        "threshold at 1 to 3 metric points"
    )


class UnitCost(BaseModel):
    """The cost of one event in a care setting, with the price year and where it comes from."""

    model_config = ConfigDict(frozen=True)

    value: float = Field(ge=0)
    price_year: str
    source: str


DEFAULT_UNIT_COSTS = {
    "gp_appointment": UnitCost(
        value=42.0,
        price_year="2022/23",
        source=(
            "PSSRU Unit Costs of Health and Social Care 2023: GP consultation (about 10 minutes)"
        ),
    ),
    "ae_attendance": UnitCost(
        value=282.0,
        price_year="2022/23",
        source=(
            "NHS England National Cost Collection 2022/23: type 1 emergency department "
            "attendance, national average (as cited; check against the national schedule)"
        ),
    ),
    "nonelective_admission": UnitCost(
        value=2500.0,
        price_year="2022/23",
        source=(
            "NHS England National Cost Collection 2022/23: non-elective spell, low end of the "
            "£2,500 to £3,000 national average cited (check against the national schedule)"
        ),
    ),
}


class LoadLimits(BaseModel):
    model_config = ConfigDict(frozen=True)

    # Bigger files are refused before they are read, by the CLI and by the upload widget.
    max_file_mb: float = 500.0
    # Published snapshots kept for rollback (dashboard.data.snapshots), the current included.
    keep_snapshots: int = 12

    @model_validator(mode="after")
    def _positive(self) -> LoadLimits:
        if self.max_file_mb <= 0:
            raise ValueError("max_file_mb must be more than 0")
        if self.keep_snapshots < 1:
            raise ValueError("keep_snapshots must be at least 1")
        return self

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 1_000_000)


class BoardPaper(BaseModel):
    """What the board pack's front sheet says about the paper itself."""

    model_config = ConfigDict(frozen=True)

    # Blank: the ICB's code from the pcns extract (the GP registration files carry no name).
    icb_name: str = ""
    owner: str = ""
    version: str = "1.0"
    # The decision or assurance the board is asked for; blank: worded from the figures.
    ask: str = ""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    referral_band: ReferralBand = ReferralBand()
    outcomes: Outcomes = Outcomes()
    unit_costs: dict[str, UnitCost] = DEFAULT_UNIT_COSTS
    load: LoadLimits = LoadLimits()
    board_paper: BoardPaper = BoardPaper()

    @model_validator(mode="after")
    def _every_setting_costed(self) -> Settings:
        missing = set(DEFAULT_UNIT_COSTS) - set(self.unit_costs)
        if missing:
            raise ValueError(f"unit_costs needs a cost for {', '.join(sorted(missing))}")
        return self


def settings_path() -> Path:
    return Path(os.environ.get(SETTINGS_ENV) or ROOT / "settings.toml")


@cache
def _load(path: Path, modified: float) -> Settings:
    with path.open("rb") as handle:
        return Settings.model_validate(tomllib.load(handle))


def load_settings() -> Settings:
    """The settings file's values, or the documented defaults where there is no file."""
    path = settings_path()
    if not path.is_file():
        return Settings()
    return _load(path, path.stat().st_mtime)
