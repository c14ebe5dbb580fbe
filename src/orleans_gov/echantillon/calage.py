"""Calibration of the sample: the modelled per-inhabitant level of each account family, by size and year.

Per-inhabitant levels are the real DGFiP strata means (``dgfip-moyennes-de-strate_communes.csv``) interpolated in
log(population) between the bands that have real means (:data:`ANCRES`), carried to any year by the documented
dynamics of each family (:func:`croissance`: DGF cut 2014–2017, personnel growth, …; :data:`CYCLE_EQUIPEMENT`:
the investment electoral cycle). APPROXIMATE, sample only.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.territoire import REGIME_FPU
from orleans_gov.sources.referentiel import read_moyennes_strates

ANNEES = tuple(range(2008, 2024))
ANNEE_CALAGE = 2013

# Typical M14 functional profile of communal operating spending (shares), and of the agglomeration's
# (transport, waste, water are function 8; economic development 9). Orders of magnitude from DGCL
# « Les collectivités locales en chiffres » (dépenses par fonction des communes de plus de 3 500 hab.);
# used only to shape the synthetic split.
PROFIL_FONCT_COMMUNE = np.array([0.31, 0.04, 0.15, 0.08, 0.11, 0.07, 0.06, 0.01, 0.15, 0.02])
PROFIL_INVEST_COMMUNE = np.array([0.14, 0.03, 0.17, 0.10, 0.15, 0.03, 0.05, 0.03, 0.28, 0.02])
PROFIL_FONCT_AGGLO = np.array([0.14, 0.04, 0.02, 0.05, 0.05, 0.03, 0.00, 0.04, 0.55, 0.08])
PROFIL_INVEST_AGGLO = np.array([0.06, 0.02, 0.02, 0.05, 0.06, 0.02, 0.00, 0.06, 0.61, 0.10])

# Band anchors: (representative population, band label, year of the real means used)
ANCRES = [
    (350, "communes de 250 à 500 hab", 2012),
    (4200, "communes de 3 500 à 5 000 hab", 2013),
    (7000, "communes de 5 000 à 10 000 hab", 2011),
    (14000, "communes de 10 000 à 20 000 hab", 2013),
    (150000, "communes de plus de 100 000 hab", 2013),
]
MILIEU_STRATE = {
    "communes de moins de 250 hab": 150, "communes de 250 à 500 hab": 350, "communes de 500 à 2 000 hab": 1000,
    "communes de 2 000 à 3 500 hab": 2650, "communes de 3 500 à 5 000 hab": 4200,
    "communes de 5 000 à 10 000 hab": 7000, "communes de 10 000 à 20 000 hab": 14000,
    "communes de 20 000 à 50 000 hab": 31600, "communes de 50 000 à 100 000 hab": 70700,
    "communes de plus de 100 000 hab": 150000,
}
CODES_MODELE = ["prod", "impo1", "impo2", "dgf", "charge", "perso", "achat", "fin", "cont", "subv",
                "equip", "subr", "fctva", "dette", "caf", "emp", "remb", "recinv", "depinv", "res1", "ebf",
                "cafn", "annu", "fdr"]
_SANS_TENDANCE = ("emp", "remb", "caf", "dette", "recinv", "depinv", "res1", "ebf", "cafn", "annu", "fdr")

Profil = dict[str, tuple[np.ndarray, np.ndarray]]
"""Per code: (log10 population of the anchors, 2013-equivalent strata mean €/hab)."""


def croissance(code: str, an: int) -> float:
    """Yearly growth rate of a family between year an−1 and an (documented sample dynamics)."""
    if code == "dgf":
        if 2014 <= an <= 2017:
            return {2014: -0.035, 2015: -0.09, 2016: -0.09, 2017: -0.05}[an]
        return 0.005 if an < 2014 else -0.005
    if code == "perso":
        if an == 2014:
            return 0.035   # rythmes scolaires, revalorisation catégorie C
        if an in (2022, 2023):
            return 0.045   # point d'indice +3,5 % (07/2022) et +1,5 % (07/2023)
        return 0.025 if an < 2014 else 0.012
    if code == "achat":
        return {2022: 0.09, 2023: 0.05}.get(an, 0.012)
    if code == "fin":
        return -0.04
    if code == "impo1":
        return 0.03    # bases revalued by the finance law + physical growth, occasional rate rises
    return {"impo2": 0.015, "autres_prod": 0.015, "subv": 0.005, "cont": 0.01, "autres_charges": 0.01,
            "subr": 0.0, "fctva": 0.0}.get(code, 0.0)


CYCLE_EQUIPEMENT = {2008: 0.70, 2009: 0.78, 2010: 0.82, 2011: 0.86, 2012: 0.93, 2013: 1.0, 2014: 0.72,
                    2015: 0.66, 2016: 0.74, 2017: 0.82, 2018: 0.92, 2019: 1.02, 2020: 0.76, 2021: 0.80,
                    2022: 0.88, 2023: 0.95}
"""Investment electoral cycle (index, 2013 = 1): peak the year before the municipal elections (2013, 2019),
trough in the first years of a mandate."""


def indice(code: str, an: int) -> float:
    """Cumulated index of a family relative to 2013: Π (1 + croissance) over the years between."""
    if code in ("equip",):
        return CYCLE_EQUIPEMENT[an]
    v = 1.0
    if an >= ANNEE_CALAGE:
        for a in range(ANNEE_CALAGE + 1, an + 1):
            v *= 1 + croissance(code, a)
    else:
        for a in range(an + 1, ANNEE_CALAGE + 1):
            v /= 1 + croissance(code, a)
    return v


def ratio_totale_municipale(cat: Catalogue) -> dict[str, float]:
    """Population totale / population municipale of each commune (DGCL list of EPCI members, latest version)."""
    m = pd.read_csv(cat.membres_epci, dtype={"membre_code_insee": str, "package_version": str})
    m = m.dropna(subset=["membre_population_totale", "membre_population_municipale"])
    m = m[m["package_version"] == m["package_version"].max()]
    return {r.membre_code_insee: r.membre_population_totale / r.membre_population_municipale for r in m.itertuples()}


def strates_reelles(cat: Catalogue) -> pd.DataFrame:
    """The real DGFiP strata means of communes in FPU, €/hab."""
    s = read_moyennes_strates(cat.moyennes_strate)
    return s[(s["regime"] == REGIME_FPU) & (s["unite"] == "€/hab")]


def profil_strates(strates: pd.DataFrame) -> Profil:
    """Per code: (log10 population of the anchors, 2013-equivalent strata mean) for interpolation."""
    out = {}
    for code in CODES_MODELE:
        xs, ys = [], []
        for pop, strate, an in ANCRES:
            v = strates[(strates["strate"] == strate) & (strates["an"] == an) & (strates["code"] == code)]
            if len(v):
                xs.append(np.log10(pop))
                ys.append(float(v["valeur"].iloc[0]) * indice(code, ANNEE_CALAGE) / indice(code, an)
                          if code != "equip" else float(v["valeur"].iloc[0]))
        out[code] = (np.array(xs), np.array(ys))
    return out


def niveau_modele(profil: Profil, code: str, population: float, an: int) -> float:
    """Modelled mean €/hab of a commune of that size in that year (log-population interpolation between
    real strata means, time index of the family)."""
    xs, ys = profil[code]
    if code in _SANS_TENDANCE:
        return float(np.interp(np.log10(population), xs, ys))
    return float(np.interp(np.log10(population), xs, ys)) * indice(code, an)
