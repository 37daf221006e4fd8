"""A synthetic health-insurance claims generator, deterministic by seed and size.

Real claims cannot ship with a demo, so this module makes claims that behave like them where it
matters for a fraud model and its gates:

- Fraud (2–5 % of claims) follows learnable patterns: a few providers bill fraudulently; their
  claims are upcoded (amounts well above the procedure's usual cost), bundle more procedures,
  bill procedures outside the provider's specialty, and come back within days. Paper submissions
  and long claim histories add a little risk. Labels are drawn from a logistic model of these
  signals, whose intercept is solved so the expected fraud rate is `fraud_rate`.
- Patient demographics (gender, age, region) are independent of fraud, so an honest model is
  fair by construction and the fairness gate passes.
- `BiasSpec` plants a real bias: the chosen group's claims arrive on paper far more often and
  were labelled fraud more often (historical label bias), so a model trained on them flags the
  group more, and the fairness gate fails for a genuine reason.
- `DriftSpec` shifts chosen features (inflation in amounts, a new submission channel mix…), so
  the PSI gate fails for a genuine reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

PROTECTED_ATTRIBUTES = ("patient_gender", "geographic_region", "patient_age_group")
COLUMNS = (
    "claim_id",
    "provider_id",
    "provider_specialty",
    "procedure_code",
    "diagnosis_code",
    "claim_amount",
    "num_procedures",
    "days_since_last_claim",
    "prior_claims_12m",
    "submission_channel",
    "patient_age",
    "patient_age_group",
    "patient_gender",
    "geographic_region",
    "service_date",
    "is_fraud",
)

# Typical procedures (CPT codes) and their usual cost in dollars, per provider specialty.
SPECIALTY_PROCEDURES: Mapping[str, Mapping[str, float]] = {
    "cardiology": {"93000": 60.0, "93306": 420.0, "93458": 2800.0, "99214": 150.0},
    "dermatology": {"11102": 110.0, "17000": 90.0, "99213": 95.0, "11042": 230.0},
    "family_medicine": {"99213": 95.0, "99214": 150.0, "99395": 180.0, "36415": 12.0},
    "orthopedics": {"20610": 120.0, "29881": 1900.0, "73721": 520.0, "99204": 240.0},
    "physical_therapy": {"97110": 45.0, "97140": 40.0, "97161": 110.0, "97530": 50.0},
    "radiology": {"71046": 60.0, "70553": 900.0, "74177": 650.0, "76700": 210.0},
    "psychiatry": {"90834": 130.0, "90837": 170.0, "90792": 260.0, "99214": 150.0},
    "laboratory": {"80053": 25.0, "85025": 15.0, "83036": 20.0, "36415": 12.0},
}
SPECIALTIES = tuple(SPECIALTY_PROCEDURES)
PROCEDURE_CODES = tuple(sorted({code for costs in SPECIALTY_PROCEDURES.values() for code in costs}))
PROCEDURE_COST = {code: cost for costs in SPECIALTY_PROCEDURES.values() for code, cost in costs.items()}
DIAGNOSIS_CODES = (
    "E11.9",
    "I10",
    "J06.9",
    "M54.5",
    "F32.9",
    "Z00.00",
    "M17.11",
    "L70.0",
    "R07.9",
    "F41.1",
    "K21.9",
    "Z12.31",
)
CHANNELS = ("electronic", "portal", "clearinghouse", "paper")
CHANNEL_WEIGHTS = (0.70, 0.15, 0.10, 0.05)
GENDERS = ("F", "M")
GENDER_WEIGHTS = (0.52, 0.48)
REGIONS = ("Northeast", "Southeast", "Midwest", "Southwest", "West")
REGION_WEIGHTS = (0.20, 0.24, 0.21, 0.15, 0.20)
AGE_GROUPS = ("0-17", "18-34", "35-49", "50-64", "65+")
AGE_BOUNDS = (0, 18, 35, 50, 65, 96)  # group i covers AGE_BOUNDS[i] <= age < AGE_BOUNDS[i + 1]
AGE_GROUP_WEIGHTS = (0.14, 0.22, 0.22, 0.22, 0.20)
FRAUD_PROVIDER_SHARE = 0.04
DRIFTABLE = (
    "claim_amount",
    "num_procedures",
    "days_since_last_claim",
    "prior_claims_12m",
    "patient_age",
    "submission_channel",
    "provider_specialty",
)
UNKNOWN_FEATURE = "cannot plant drift in '{name}'; driftable features: {valid}"
UNKNOWN_GROUP = "cannot plant bias in {attribute}='{group}'; groups of {attribute}: {valid}"


@dataclass(frozen=True, kw_only=True)
class BiasSpec:
    """Plant a bias against `group` of the protected `attribute` (strength ≥ 0; 0 = none)."""

    attribute: str
    group: str
    strength: float = 1.0


@dataclass(frozen=True, kw_only=True)
class DriftSpec:
    """Shift `features` of the generated claims (strength ≥ 0; 0 = none, 1 = large drift)."""

    features: tuple[str, ...]
    strength: float = 1.0


def generate_claims(
    size: int,
    *,
    seed: int = 42,
    fraud_rate: float = 0.035,
    bias: BiasSpec | None = None,
    drift: DriftSpec | None = None,
    start: date = date(2025, 1, 1),
    days: int = 365,
) -> pd.DataFrame:
    """Generate `size` claims, identical for the same arguments.

    The fraud probability of claim i is p_i = σ(b + w·x_i), where x_i are the planted signals
    (provider fraud, upcoding ratio, extra procedures, specialty mismatch, quick return, paper,
    history) and b is solved by bisection so that mean(p_i) = `fraud_rate`; is_fraud ~ Bernoulli(p_i).

    Parameters
    ----------
    size
        Number of claims (≥ 1).
    seed
        Seed of every random draw.
    fraud_rate
        Expected share of fraudulent claims, in (0, 1).
    bias, drift
        Optional planted bias and feature drift (see the module docstring).
    start, days
        Service dates are uniform in [start, start + days).

    Returns
    -------
    pandas.DataFrame
        Columns `COLUMNS`, sorted by service date, claim ids `CLM-0000001`… in that order.

    Raises
    ------
    ValueError
        For a size < 1, a rate outside (0, 1), or an unknown bias group or drift feature.

    Examples
    --------
    >>> claims = generate_claims(2000, seed=7)
    >>> list(claims.columns) == list(COLUMNS), len(claims)
    (True, 2000)
    >>> bool(claims.equals(generate_claims(2000, seed=7)))
    True
    """
    import pandas as pd

    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    if not 0.0 < fraud_rate < 1.0:
        raise ValueError(f"fraud_rate must be in (0, 1), got {fraud_rate}")
    _check_specs(bias, drift)
    rng = np.random.default_rng(seed)

    n_providers = max(40, size // 150)
    provider_specialty = rng.choice(len(SPECIALTIES), size=n_providers)
    provider_is_fraud = rng.random(n_providers) < FRAUD_PROVIDER_SHARE
    provider_weight = rng.gamma(2.0, 1.0, size=n_providers)
    provider = rng.choice(n_providers, size=size, p=provider_weight / provider_weight.sum())
    fraud_provider = provider_is_fraud[provider]
    specialty = provider_specialty[provider]

    # Procedures: usually one of the specialty's own; sometimes (often, for fraud) another one.
    mismatch = rng.random(size) < np.where(fraud_provider, 0.30, 0.03)
    procedure = np.empty(size, dtype=object)
    for index, name in enumerate(SPECIALTIES):
        own = np.flatnonzero(specialty == index)
        procedure[own] = rng.choice(list(SPECIALTY_PROCEDURES[name]), size=own.size)
    procedure[mismatch] = rng.choice(PROCEDURE_CODES, size=int(mismatch.sum()))
    mismatch = np.array(
        [code not in SPECIALTY_PROCEDURES[SPECIALTIES[s]] for code, s in zip(procedure, specialty, strict=True)]
    )
    base_cost = np.array([PROCEDURE_COST[code] for code in procedure])

    upcoding = np.where(fraud_provider, rng.lognormal(0.6, 0.35, size), rng.lognormal(0.0, 0.25, size))
    extra_procedures = rng.poisson(np.where(fraud_provider, 2.0, 0.6), size)
    num_procedures = 1 + extra_procedures
    claim_amount = np.round(base_cost * upcoding * (1 + 0.6 * extra_procedures), 2)
    days_since_last = np.floor(rng.exponential(np.where(fraud_provider, 12.0, 55.0), size)).astype(np.int64)
    prior_claims = rng.poisson(np.where(fraud_provider, 6.0, 3.0), size)
    channel = rng.choice(len(CHANNELS), size=size, p=CHANNEL_WEIGHTS)
    diagnosis = rng.choice(len(DIAGNOSIS_CODES), size=size)

    gender = rng.choice(len(GENDERS), size=size, p=GENDER_WEIGHTS)
    region = rng.choice(len(REGIONS), size=size, p=REGION_WEIGHTS)
    age_group = rng.choice(len(AGE_GROUPS), size=size, p=AGE_GROUP_WEIGHTS)
    age = rng.integers(np.array(AGE_BOUNDS)[age_group], np.array(AGE_BOUNDS)[age_group + 1])
    service_day = np.sort(rng.integers(0, days, size))

    columns: dict[str, np.ndarray] = {
        "claim_amount": claim_amount,
        "num_procedures": num_procedures,
        "days_since_last_claim": days_since_last,
        "prior_claims_12m": prior_claims,
        "patient_age": age,
        "submission_channel": channel,
        "provider_specialty": specialty,
    }
    if drift is not None and drift.strength > 0:
        _plant_drift(columns, drift, rng)
    channel = columns["submission_channel"]
    demographics = {"patient_gender": gender, "geographic_region": region, "patient_age_group": age_group}

    signal = (
        1.6 * fraud_provider
        + 1.1 * np.log(np.maximum(upcoding, 1e-3))
        + 0.30 * extra_procedures
        + 1.2 * mismatch
        + 0.9 * (columns["days_since_last_claim"] < 7)
        + 0.6 * (channel == CHANNELS.index("paper"))
        + 0.05 * columns["prior_claims_12m"]
    )
    if bias is not None and bias.strength > 0:
        signal = signal + _plant_bias(channel, demographics, bias, rng)
    intercept = _solve_intercept(signal, fraud_rate)
    probability = 1.0 / (1.0 + np.exp(-(intercept + signal)))
    is_fraud = (rng.random(size) < probability).astype(np.int64)

    frame = pd.DataFrame(
        {
            "claim_id": [f"CLM-{i:07d}" for i in range(1, size + 1)],
            "provider_id": [f"PRV-{p:05d}" for p in provider],
            "provider_specialty": np.array(SPECIALTIES)[columns["provider_specialty"]],
            "procedure_code": procedure.astype(str),
            "diagnosis_code": np.array(DIAGNOSIS_CODES)[diagnosis],
            "claim_amount": columns["claim_amount"].astype(np.float64),
            "num_procedures": columns["num_procedures"].astype(np.int64),
            "days_since_last_claim": columns["days_since_last_claim"].astype(np.int64),
            "prior_claims_12m": columns["prior_claims_12m"].astype(np.int64),
            "submission_channel": np.array(CHANNELS)[channel],
            "patient_age": columns["patient_age"].astype(np.int64),
            "patient_age_group": np.array(AGE_GROUPS)[age_group_of(columns["patient_age"])],
            "patient_gender": np.array(GENDERS)[gender],
            "geographic_region": np.array(REGIONS)[region],
            "service_date": pd.Timestamp(start) + pd.to_timedelta(service_day, unit="D"),
            "is_fraud": is_fraud,
        }
    )
    frame["service_date"] = frame["service_date"].dt.date
    return frame


def age_group_of(age: np.ndarray) -> np.ndarray:
    """Index into `AGE_GROUPS` of each age.

    >>> age_group_of(np.array([0, 17, 18, 64, 65, 95])).tolist()
    [0, 0, 1, 3, 4, 4]
    """
    return np.searchsorted(np.array(AGE_BOUNDS[1:-1]), age, side="right")


def _check_specs(bias: BiasSpec | None, drift: DriftSpec | None) -> None:
    if bias is not None:
        groups = {"patient_gender": GENDERS, "geographic_region": REGIONS, "patient_age_group": AGE_GROUPS}
        if bias.attribute not in groups:
            raise ValueError(
                f"cannot plant bias in '{bias.attribute}'; protected attributes: {', '.join(PROTECTED_ATTRIBUTES)}"
            )
        if bias.group not in groups[bias.attribute]:
            valid = ", ".join(groups[bias.attribute])
            raise ValueError(UNKNOWN_GROUP.format(attribute=bias.attribute, group=bias.group, valid=valid))
        if bias.strength < 0:
            raise ValueError(f"bias strength must be ≥ 0, got {bias.strength}")
    if drift is not None:
        for name in drift.features:
            if name not in DRIFTABLE:
                raise ValueError(UNKNOWN_FEATURE.format(name=name, valid=", ".join(DRIFTABLE)))
        if drift.strength < 0:
            raise ValueError(f"drift strength must be ≥ 0, got {drift.strength}")


def _plant_drift(columns: dict[str, np.ndarray], drift: DriftSpec, rng: np.random.Generator) -> None:
    """Shift each chosen feature in place; strength 1 moves it by about one typical spread."""
    s = drift.strength
    size = columns["claim_amount"].size
    for name in drift.features:
        values = columns[name]
        if name == "claim_amount":
            columns[name] = np.round(values * math.exp(0.8 * s), 2)
        elif name in ("num_procedures", "prior_claims_12m"):
            columns[name] = values + rng.poisson(1.5 * s, size)
        elif name == "days_since_last_claim":
            columns[name] = np.floor(values * math.exp(-1.2 * s)).astype(np.int64)
        elif name == "patient_age":
            columns[name] = np.clip(values + round(12 * s), 0, 95)
        else:  # categorical: move a share of rows to the rarest category
            rarest = CHANNELS.index("paper") if name == "submission_channel" else SPECIALTIES.index("laboratory")
            moved = rng.random(size) < min(0.5 * s, 0.9)
            columns[name] = np.where(moved, rarest, values)


def _plant_bias(
    channel: np.ndarray, demographics: Mapping[str, np.ndarray], bias: BiasSpec, rng: np.random.Generator
) -> np.ndarray:
    """Route the group's claims to paper more often (in place) and return its extra label log-odds."""
    groups: Mapping[str, Sequence[str]] = {
        "patient_gender": GENDERS,
        "geographic_region": REGIONS,
        "patient_age_group": AGE_GROUPS,
    }
    member = demographics[bias.attribute] == groups[bias.attribute].index(bias.group)
    to_paper = member & (rng.random(channel.size) < min(0.35 * bias.strength, 0.9))
    channel[to_paper] = CHANNELS.index("paper")
    extra: np.ndarray = bias.strength * member * (0.6 + 0.9 * (channel == CHANNELS.index("paper")))
    return extra


def _solve_intercept(signal: np.ndarray, rate: float) -> float:
    """b such that mean(σ(b + signal)) = rate, by bisection (the mean is increasing in b)."""
    low, high = -30.0, 10.0
    for _ in range(80):
        middle = (low + high) / 2
        if float(np.mean(1.0 / (1.0 + np.exp(-(middle + signal))))) < rate:
            low = middle
        else:
            high = middle
    return (low + high) / 2
