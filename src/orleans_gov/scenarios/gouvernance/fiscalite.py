"""Tax coordination inside the bloc communal: harmonised communal rates, a rate pact between the agglomeration and
its communes, and the taxpayers' side (who pays the extra receipts); the legal limits on rate setting that could be
verified.

Units: bases in k€ (bases nettes d'imposition), rates in percent (20.5 = 20,5 %), products = base × rate / 100 in
k€. A rate change is always explicit: ``variation_points`` (20.0 → 22.0 is +2 points) or ``variation_relative``
(20.0 → 20.4 is +2 %) — never a bare « 2 % ». Taxes: ``th``, ``tfb``, ``tfnb`` (voted by the communes and, in
« fiscalité mixte », by the EPCI: art. 1609 nonies C II CGI) and ``cfe`` (the EPCI alone under 1609 nonies C I).

Taxpayers' side: the extra tax paid by the taxpayers of commune c = base_c × Δ communal rate / 100 + base_EPCI,c ×
Δ EPCI rate / 100 (the EPCI's base on the commune's territory defaults to the communal base; give ``bases_epci``
when abatements differ).

Harmonisation (:func:`harmonisation_taux`): each commune's rate moves to a common target (default the taux moyen
pondéré = Σ base × rate / Σ base) by equal yearly parts over ``lissage_annees`` years — by analogy with the
« réduction des écarts de taux [qui] s'opère, chaque année, par parts égales » of art. 1609 nonies C III 1° b CGI
(a political choice of the pacte, not a legal obligation for communal rates).

Rate pact (:func:`pacte_taux`): the agglomeration raises its rate of one tax by x points; each commune lowers its own
by y_c = x × base_EPCI,c / base_c points, so that every taxpayer pays the same; the receipts move from the communes
to the EPCI (``compensation_neutre``: what an AC increase would have to return to keep each commune whole).

Legal limits (:func:`verifier_taux`), read in the etalab copies (rédaction d'origine; later wording not verified line
by line):

- art. 1636 B septies I: a commune's rates « ne peuvent excéder deux fois et demie le taux moyen constaté l'année
  précédente pour la même taxe dans l'ensemble des communes du département ou deux fois et demie le taux moyen
  constaté au niveau national s'il est plus élevé. Pour les communes membres d'un groupement doté d'une fiscalité
  propre, ces taux-plafonds sont réduits du taux appliqué l'année précédente au profit du groupement » (parameter
  ``fiscalite_directe.plafond_taux_multiple``);
- art. 1636 B sexies I 1 (lien entre les taux): « le taux de la taxe foncière sur les propriétés non bâties ne peut
  augmenter plus ou diminuer moins que le taux de la taxe d'habitation » (compared as proportions);
- art. 1636 B decies II and 1636 B sexies I 1 b: the EPCI's CFE rate may not rise in a proportion greater than the
  rise of the TH rate or, if lower, of the weighted mean rate of TH and taxes foncières; for the EPCI « le taux de la
  taxe d'habitation est égal au taux moyen » of the member communes (weighted by bases; the EPCI's own additional
  rate is added when given: reading); the obligation to lower the CFE with them « ne s'applique pas ».

Not modelled (:data:`NON_MODELISES`): the majoration spéciale of the CFE rate and its mise en réserve (1636 B sexies
I 3, 1636 B decies), the decrease « sans lien » down to the national mean (1636 B sexies I 2), the CFE ceiling
(1636 B septies), the TH rate freeze of the 2018-2020 reform (not verified).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from orleans_gov.base.parametres import Parametres, date_effet, parametres
from orleans_gov.scenarios.gouvernance.pacte import controle, tableau_controles, violations

TAXES = ("th", "tfb", "tfnb", "cfe")
TAXES_MENAGES = ("th", "tfb", "tfnb")
NON_MODELISES = (
    "CGI art. 1636 B sexies I 3 et 1636 B decies : majoration spéciale du taux de CFE et mise en réserve",
    "CGI art. 1636 B sexies I 2 : diminution sans lien jusqu'au taux moyen national",
    "CGI art. 1636 B septies : plafond du taux de CFE",
    "réforme de la taxe d'habitation (2018-2020) : gel des taux (loi n° 2019-1479, non vérifié)",
)
REF_PLAFOND = "CGI art. 1636 B septies I"
REF_LIEN = "CGI art. 1636 B sexies I 1"
REF_CFE = "CGI art. 1636 B decies II et 1636 B sexies I 1 b"


def _cadre(nom: str, t: pd.DataFrame, index: pd.Index | None = None, taxes: tuple[str, ...] = TAXES
           ) -> pd.DataFrame:
    if not isinstance(t, pd.DataFrame) or t.empty:
        raise ValueError(f"{nom} : tableau commune × taxe attendu")
    inconnues = set(t.columns) - set(taxes)
    if inconnues:
        raise ValueError(f"{nom} : taxes inconnues {sorted(inconnues)} (attendu : {', '.join(taxes)})")
    if not t.index.is_unique:
        raise ValueError(f"{nom} : une commune apparaît deux fois")
    if index is not None:
        if set(t.index) != set(index):
            raise ValueError(f"{nom} : communes différentes de celles des bases")
        t = t.reindex(index)
    t = t.astype("float64")
    if t.isna().any().any() or (t < 0).any().any():
        raise ValueError(f"{nom} : valeurs manquantes ou négatives")
    return t


def variation_en_points(taux: float, *, variation_points: float | None, variation_relative: float | None) -> float:
    """The change of a rate in points, from exactly one of ``variation_points`` and ``variation_relative``."""
    if (variation_points is None) == (variation_relative is None):
        raise ValueError("variation de taux : donner soit variation_points, soit variation_relative (pas les deux)")
    if variation_points is not None:
        return float(variation_points)
    if taux == 0:
        raise ValueError("variation relative d'un taux nul : donner la variation en points")
    return float(taux) * float(variation_relative)


@dataclass(frozen=True)
class HarmonisationTaux:
    """``cible`` (target rate per tax); ``table``: one row per year × commune × tax (``taux_avant``, ``taux``,
    ``variation_points``, ``variation_relative``, ``base``, ``produit_avant``, ``produit``, ``variation_produit``,
    ``supplement_contribuables``); ``contribuables``: per year × commune, the extra tax paid over all taxes."""

    cible: pd.Series
    table: pd.DataFrame
    contribuables: pd.DataFrame


def harmonisation_taux(bases: pd.DataFrame, taux: pd.DataFrame, cible: str | Mapping[str, float], date: Any, *,
                       lissage_annees: int = 1) -> HarmonisationTaux:
    """Communal rates converging on ``cible`` (``"moyen_pondere"`` or a rate per tax) by equal parts over
    ``lissage_annees`` years, the first year being that of ``date``; constant bases (module docstring)."""
    if lissage_annees < 1:
        raise ValueError(f"durée de lissage invalide : {lissage_annees!r}")
    b = _cadre("bases", bases, taxes=TAXES_MENAGES)
    t = _cadre("taux", taux, b.index, TAXES_MENAGES)
    if set(t.columns) != set(b.columns):
        raise ValueError("taux et bases : mêmes taxes attendues")
    if isinstance(cible, str):
        if cible != "moyen_pondere":
            raise ValueError(f"cible inconnue : « {cible} » (attendu : moyen_pondere ou un taux par taxe)")
        c = (b * t).sum() / b.sum()
    else:
        c = pd.Series(dict(cible), dtype="float64").reindex(t.columns)
        if c.isna().any():
            raise ValueError(f"cible : un taux par taxe attendu ({', '.join(t.columns)})")
    premiere = date_effet(date).year
    lignes = []
    for k in range(1, lissage_annees + 1):
        nouveau = t + (c - t) * k / lissage_annees
        for e in t.index:
            for x in t.columns:
                delta = nouveau.at[e, x] - t.at[e, x]
                lignes.append({"annee": premiere + k - 1, "entite": e, "taxe": x, "taux_avant": t.at[e, x],
                               "taux": nouveau.at[e, x], "variation_points": delta,
                               "variation_relative": delta / t.at[e, x] if t.at[e, x] else np.nan,
                               "base": b.at[e, x], "produit_avant": b.at[e, x] * t.at[e, x] / 100,
                               "produit": b.at[e, x] * nouveau.at[e, x] / 100,
                               "variation_produit": b.at[e, x] * delta / 100,
                               "supplement_contribuables": b.at[e, x] * delta / 100})
    table = pd.DataFrame(lignes)
    contrib = table.groupby(["annee", "entite"], sort=False)["supplement_contribuables"].sum().reset_index()
    return HarmonisationTaux(c, table, contrib)


@dataclass(frozen=True)
class PacteTaux:
    """The agglomeration's rate change (``taux_epci_avant``/``apres``, ``hausse_points``) and, per commune
    (``table``): ``baisse_points`` (y_c), ``baisse_relative``, ``taux_commune_avant``/``apres``,
    ``produit_epci_supplement``, ``produit_commune_variation``, ``supplement_contribuables`` (0 by construction),
    ``compensation_neutre`` (the communes' loss); ``controles`` (a commune's rate cannot go below 0)."""

    taxe: str
    taux_epci_avant: float
    taux_epci_apres: float
    hausse_points: float
    table: pd.DataFrame
    controles: pd.DataFrame


def pacte_taux(bases: pd.DataFrame, taux: pd.DataFrame, taux_epci: Mapping[str, float], taxe: str, date: Any, *,
               variation_points: float | None = None, variation_relative: float | None = None,
               bases_epci: pd.DataFrame | None = None) -> PacteTaux:
    """The agglomeration raises its ``taxe`` rate (points or relative: exactly one), each commune lowers its own so
    that its taxpayers pay the same (module docstring). ``date`` is the year of the vote (kept for the record)."""
    date_effet(date)
    if taxe not in TAXES_MENAGES:
        raise ValueError(f"pacte de taux : taxe votée par les communes attendue ({', '.join(TAXES_MENAGES)})")
    b = _cadre("bases", bases, taxes=TAXES_MENAGES)
    t = _cadre("taux", taux, b.index, TAXES_MENAGES)
    be = b if bases_epci is None else _cadre("bases de l'EPCI", bases_epci, b.index, TAXES_MENAGES)
    avant = float(dict(taux_epci).get(taxe, 0.0))
    x = variation_en_points(avant, variation_points=variation_points, variation_relative=variation_relative)
    y = x * be[taxe] / b[taxe]
    tab = pd.DataFrame({"taux_commune_avant": t[taxe], "baisse_points": y,
                        "baisse_relative": y / t[taxe].replace(0, np.nan), "taux_commune_apres": t[taxe] - y,
                        "produit_epci_supplement": x * be[taxe] / 100,
                        "produit_commune_variation": -y * b[taxe] / 100})
    tab["supplement_contribuables"] = tab["produit_epci_supplement"] + tab["produit_commune_variation"]
    tab["compensation_neutre"] = -tab["produit_commune_variation"]
    c = tableau_controles([controle(f"taux_positif[{e}]", bool(v >= -1e-12), REF_LIEN, float(v), 0.0)
                           for e, v in tab["taux_commune_apres"].items()])
    return PacteTaux(taxe, avant, avant + x, x, tab, c)


def _moyenne(b: pd.DataFrame, t: pd.DataFrame, taxes: list[str]) -> float:
    return float((b[taxes] * t[taxes]).to_numpy().sum() / b[taxes].to_numpy().sum())


def verifier_taux(taux_avant: pd.DataFrame, taux_apres: pd.DataFrame, date: Any, *, bases: pd.DataFrame | None = None,
                  taux_moyens_departement: Mapping[str, float] | None = None,
                  taux_moyens_nationaux: Mapping[str, float] | None = None,
                  taux_epci_precedent: Mapping[str, float] | None = None,
                  cfe_epci: tuple[float, float] | None = None, taux_epci_apres: Mapping[str, float] | None = None,
                  parametres_: Parametres | None = None) -> pd.DataFrame:
    """Controls of the communes' new rates (and of the EPCI's CFE rate, ``cfe_epci`` = (before, after)) against the
    limits of the module docstring; a limit whose inputs are missing is reported with ``satisfaite=None``.
    ``taux_moyens_*``: averages of the previous year per tax; ``taux_epci_precedent``: the EPCI's rates of the
    previous year (they reduce the communes' ceilings)."""
    av = _cadre("taux avant", taux_avant, taxes=TAXES_MENAGES)
    ap = _cadre("taux après", taux_apres, av.index, TAXES_MENAGES)
    par = parametres_ or parametres()
    d = date_effet(date)
    lignes = []
    multiple = par("fiscalite_directe.plafond_taux_multiple", d)
    for x in ap.columns:
        dep = (taux_moyens_departement or {}).get(x)
        nat = (taux_moyens_nationaux or {}).get(x)
        if dep is None and nat is None:
            lignes.append(controle(f"plafond[{x}]", None, REF_PLAFOND))
            continue
        plafond = multiple * max(v for v in (dep, nat) if v is not None) - float((taux_epci_precedent or {}).get(x, 0))
        for e, v in ap[x].items():
            lignes.append(controle(f"plafond[{e},{x}]", bool(v <= plafond + 1e-12), REF_PLAFOND, float(v), plafond))
    if {"th", "tfnb"} <= set(ap.columns):
        for e in ap.index:
            if av.at[e, "th"] > 0 and av.at[e, "tfnb"] > 0:
                r_tfnb, r_th = ap.at[e, "tfnb"] / av.at[e, "tfnb"], ap.at[e, "th"] / av.at[e, "th"]
                lignes.append(controle(f"lien_tfnb_th[{e}]", bool(r_tfnb <= r_th + 1e-12), REF_LIEN, r_tfnb - 1,
                                       r_th - 1))
    if cfe_epci is not None:
        if bases is None or "th" not in ap.columns:
            lignes.append(controle("lien_cfe", None, REF_CFE))
        else:
            b = _cadre("bases", bases, av.index, TAXES_MENAGES)
            ea = dict(taux_epci_precedent or {})
            ep = dict(taux_epci_apres or ea)
            menages = [x for x in TAXES_MENAGES if x in ap.columns and x in b.columns]
            r_th = (_moyenne(b, ap, ["th"]) + ep.get("th", 0)) / (_moyenne(b, av, ["th"]) + ea.get("th", 0))
            tmp = [(_moyenne(b, s, menages) + sum(e.get(x, 0) * b[x].sum() for x in menages) / b[menages].sum().sum())
                   for s, e in ((ap, ep), (av, ea))]
            r_cfe = cfe_epci[1] / cfe_epci[0]
            limite = min(r_th, tmp[0] / tmp[1])
            ok = r_cfe <= 1 + 1e-12 or r_cfe <= limite + 1e-12
            lignes.append(controle("lien_cfe", bool(ok), REF_CFE, r_cfe - 1, limite - 1))
    return tableau_controles(lignes)


def conforme(controles: pd.DataFrame) -> bool:
    """No control of :func:`verifier_taux` failed."""
    return not violations(controles)
