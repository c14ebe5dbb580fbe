"""FPIC inside the ensemble intercommunal — art. L2336-3 II CGCT (prélèvement) and L2336-5 II (reversement), as in
force at the date. The ensemble's contribution or attribution is a scenario input (amount of the year); the national
envelope (:func:`ressources_nationales`: 150, 360, 570, 780 M€ in 2012-2015, 1 Md€ from 2016, parameter
``fpic.ressources_nationales``) is context only.

The II of L2336-3 and L2336-5 was not read in a dated copy (research §2.3): the rules below rest on the sources quoted.

- droit commun, from 2013 (:func:`repartition_fpic`, ``mode="droit_commun"``): EPCI = amount × CIF of the year
  (art. R2336-2 and R2336-4: « the levy calculated for the inter-municipal entity multiplied by the fiscal
  integration coefficient for the year of allocation », french-business-law.com), the communes the rest; among the
  communes, prélèvement « en fonction du potentiel financier par habitant » and of the population (AMF note FPIC
  2013) = in proportion to pop × PF/hab, reversement « de manière inversement proportionnelle au potentiel financier
  par habitant de chaque commune multiplié par son nombre d'habitants » (nossenateurs 833275) = pop × PF moyen / PF_c
  (research exemples.md B). The 2012 rule (« au prorata des ressources fiscales », nosdeputes 2007-2012/651343) is
  not modelled: dates before 2013 raise.
- dérogatoire, « à la majorité des deux tiers » of the council (``"deux_tiers_conseil"``): EPCI share by the CIF until
  2019, within 30 % of it from 2020 (``fpic.derogatoire.ecart_maximal_epci``); among communes « en fonction au
  minimum de leur population, de l'écart entre le revenu par habitant […] et du potentiel fiscal ou financier par
  habitant », plus free complementary criteria; each commune's amount may not be raised (prélèvement) or lowered
  (reversement) by more than 20 %, then 30 % (``fpic.derogatoire.ecart_maximal_communes``) from its droit commun
  amount (« une majoration de la contribution ou […] une minoration de l'attribution de plus de 30 % par rapport au
  droit commun », nossenateurs 1590294).
- libre: unanimity of the council (2012-2014, « une délibération adoptée à l'unanimité est alors requise »); from
  31 December 2014 (LFI 2015) also two thirds of the council and every municipal council (silence for two months =
  approval from 2016, date not verified: ``fpic.libre.*``).
- deadline: before 30 June of the year, then within two months of the prefect's notification (LFI 2016, art. 162,
  text read: ``fpic.delai_deliberation_mois``).

Readings: ``lecture_ecart="sens_defavorable"`` (default: only a rise of a contribution / a fall of an attribution is
capped, as the Senate describes it) or ``"symetrique"`` (|amount − droit commun| ≤ limit × droit commun, the wording
« s'écarter de plus de 30 % » of the post-2020 sources). A proposal given as amounts per commune cannot show its
criteria: ``criteres_minimaux`` is then not checked (``None``).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Mapping

import pandas as pd

from orleans_gov.base.parametres import Parametres, date_effet, parametres
from orleans_gov.scenarios.gouvernance.pacte import (POTENTIEL, REVENU, controle, part_critere, parts_ponderees,
                                                     poids_par_nature, proche, reference_parametre, serie,
                                                     tableau_controles, valeur_parametre, violations, vote)

SENS = ("prelevement", "reversement")
MODES = ("droit_commun", "derogatoire", "libre")
LECTURES_ECART = ("sens_defavorable", "symetrique")
F = "fpic."
DEBUT_CIF = _dt.date(2013, 1, 1)
ARTICLES = {"prelevement": "CGCT art. L2336-3 II", "reversement": "CGCT art. L2336-5 II"}


def ressources_nationales(date: Any, *, parametres_: Parametres | None = None) -> float:
    """The FPIC's national resources of the year (€), context for the ensemble's amount."""
    return (parametres_ or parametres())(F + "ressources_nationales", date)


@dataclass(frozen=True)
class ConditionsFPIC:
    """The majorities that adopt a split in ``mode`` at ``date``: ``alternatives``, each a tuple of rules of
    :mod:`.majorites` that must all be met; ``silence_vaut_approbation`` for the municipal councils;
    ``delai_mois`` after the notification (``None``: before 30 June)."""

    mode: str
    alternatives: tuple[tuple[str, ...], ...]
    silence_vaut_approbation: bool
    delai_mois: float | None
    reference: str


def conditions_fpic(mode: str, date: Any, *, parametres_: Parametres | None = None) -> ConditionsFPIC:
    """Majority and deadline of a split in ``mode`` at ``date`` (module docstring)."""
    if mode not in MODES:
        raise ValueError(f"mode de répartition du FPIC inconnu : « {mode} » (attendu : {', '.join(MODES)})")
    d = date_effet(date)
    par = parametres_ or parametres()
    delai = valeur_parametre(par, F + "delai_deliberation_mois", d)
    if mode == "droit_commun":
        return ConditionsFPIC(mode, ((),), False, None, "répartition de droit commun : aucune délibération")
    if mode == "derogatoire":
        return ConditionsFPIC(mode, (("deux_tiers_conseil",),), False, delai,
                              par.reference(F + "derogatoire.ecart_maximal_communes", d))
    alternatives: tuple[tuple[str, ...], ...] = (("unanimite_conseil",),)
    if valeur_parametre(par, F + "libre.deux_tiers_et_conseils_municipaux", d):
        alternatives += (("deux_tiers_conseil", "unanimite_communes"),)
    silence = bool(valeur_parametre(par, F + "libre.silence_vaut_approbation", d))
    return ConditionsFPIC(mode, alternatives, silence, delai,
                          reference_parametre(par, F + "libre.deux_tiers_et_conseils_municipaux", d))


def vote_fpic(mode: str, date: Any, *, votes_conseil: Mapping[Any, Any], sieges: pd.Series, populations: pd.Series,
              votes_communes: Mapping[Any, Any] | None = None, parametres_: Parametres | None = None
              ) -> tuple[bool, pd.DataFrame]:
    """Whether a ``mode`` split is adopted: one row per alternative of :func:`conditions_fpic` (``adoptee`` when
    all its rules are met). Municipal councils without a deliberation approve when the silence rule applies."""
    cond = conditions_fpic(mode, date, parametres_=parametres_)
    pops = serie("populations", populations, strictement_positive=True)
    lignes = []
    for alt in cond.alternatives:
        resultats = []
        for regle in alt:
            if regle == "unanimite_communes":
                r = vote(regle, votes_communes or {}, pops, date, silence_vaut_accord=cond.silence_vaut_approbation)
            else:
                r = vote(regle, votes_conseil, pops, date, sieges=sieges)
            resultats.append(r.adoptee)
        lignes.append({"alternative": " + ".join(alt) or "aucune", "adoptee": all(resultats)})
    t = pd.DataFrame(lignes)
    return bool(t["adoptee"].any()), t


@dataclass(frozen=True)
class RepartitionFPIC:
    """``epci`` and ``communes`` (columns ``droit_commun``, ``montant``, ``ecart_relatif`` = montant / droit commun
    − 1) for the ensemble's ``montant`` (a positive amount: paid when ``sens="prelevement"``, received when
    ``"reversement"``); ``controles``, ``violations`` (rules not met, by name), ``conforme``; ``conditions``."""

    montant: float
    sens: str
    mode: str
    epci: float
    epci_droit_commun: float
    communes: pd.DataFrame
    controles: pd.DataFrame
    violations: list[str]
    conforme: bool
    conditions: ConditionsFPIC
    reference: str = field(default="")


def droit_commun(montant: float, sens: str, cif: float, populations_dgf: pd.Series,
                 potentiel_financier_hab: pd.Series) -> tuple[float, pd.Series]:
    """(EPCI share, communes' shares) of the droit commun from 2013 (module docstring)."""
    if sens not in SENS:
        raise ValueError(f"sens du FPIC inconnu : « {sens} » (attendu : {', '.join(SENS)})")
    if not 0 <= cif <= 1:
        raise ValueError(f"coefficient d'intégration fiscale hors de [0, 1] : {cif!r}")
    critere = "potentiel_financier" if sens == "prelevement" else "insuffisance_potentiel_financier"
    parts = part_critere(critere, potentiel_financier_hab, populations_dgf)
    return cif * montant, (1 - cif) * montant * parts


def _communes_proposees(mode: str, total: float, pops: pd.Series, parts_communes: pd.Series | None,
                        criteres: Mapping[str, pd.Series | None] | None, poids: Mapping[str, float] | None,
                        natures: Mapping[str, str] | None) -> pd.Series:
    if parts_communes is not None:
        return serie("répartition proposée", parts_communes, pops.index, signe_libre=True)
    if criteres is None or poids is None:
        raise ValueError(f"répartition « {mode} » : fournir parts_communes ou criteres et poids")
    return total * parts_ponderees(criteres, poids, pops, natures=natures)["part"]


def _controles_derogatoire(sens: str, d: _dt.date, par: Parametres, epci: float, epci_dc: float,
                           t: pd.DataFrame, criteres: Mapping | None, poids: Mapping | None,
                           lecture: str) -> list[dict]:
    art = ARTICLES[sens] + " 1°"
    lignes = []
    ecart_epci = valeur_parametre(par, F + "derogatoire.ecart_maximal_epci", d)
    ref_epci = reference_parametre(par, F + "derogatoire.ecart_maximal_epci", d)
    if ecart_epci is None:
        lignes.append(controle("part_epci_cif", proche(epci, epci_dc, epci_dc), ref_epci, epci, epci_dc))
    else:
        e = (epci / epci_dc - 1) if epci_dc else 0.0
        lignes.append(controle("part_epci_ecart", abs(e) <= ecart_epci + 1e-12, ref_epci, e, ecart_epci))
    if criteres is None or poids is None:
        lignes.append(controle("criteres_minimaux", None, art))
    else:
        ok = poids_par_nature(poids, ("population",)) > 0 and poids_par_nature(poids, REVENU) > 0 and \
            poids_par_nature(poids, POTENTIEL) > 0
        lignes.append(controle("criteres_minimaux", ok, art))
    limite = par(F + "derogatoire.ecart_maximal_communes", d)
    ref = par.reference(F + "derogatoire.ecart_maximal_communes", d)
    for c, e in t["ecart_relatif"].items():
        if lecture == "symetrique":
            ok = abs(e) <= limite + 1e-12
        elif sens == "prelevement":
            ok = e <= limite + 1e-12
        else:
            ok = e >= -limite - 1e-12
        lignes.append(controle(f"ecart_droit_commun[{c}]", bool(ok), ref, float(e), limite))
    return lignes


def repartition_fpic(montant: float, date: Any, *, sens: str, cif: float, populations_dgf: pd.Series,
                     potentiel_financier_hab: pd.Series, revenu_hab: pd.Series | None = None,
                     mode: str = "droit_commun", part_epci: float | None = None,
                     parts_communes: pd.Series | None = None, criteres: Mapping[str, pd.Series | None] | None = None,
                     poids: Mapping[str, float] | None = None, natures: Mapping[str, str] | None = None,
                     lecture_ecart: str = "sens_defavorable", parametres_: Parametres | None = None
                     ) -> RepartitionFPIC:
    """Split the ensemble's FPIC ``montant`` (≥ 0) at ``date`` and check it against the rules in force.

    ``mode="droit_commun"``: CIF, then pop × PF/hab (prélèvement) or pop × insufficiency (reversement).
    ``"derogatoire"``: ``part_epci`` (default: the droit commun share) and the communes' amounts, given
    (``parts_communes``) or computed from ``criteres``/``poids`` (e.g. ``population``, ``ecart_revenu`` with
    ``revenu_hab``, ``insuffisance_potentiel_financier`` or ``potentiel_financier``); every violated limit is named.
    ``"libre"``: any split; only the sum and the signs are checked. The majority: :func:`conditions_fpic`.
    """
    if mode not in MODES:
        raise ValueError(f"mode de répartition du FPIC inconnu : « {mode} » (attendu : {', '.join(MODES)})")
    if lecture_ecart not in LECTURES_ECART:
        raise ValueError(f"lecture de l'écart inconnue : « {lecture_ecart} »")
    if montant < 0:
        raise ValueError(f"montant du FPIC négatif : {montant!r} (le sens est donné par « sens »)")
    d = date_effet(date)
    if d < DEBUT_CIF:
        raise KeyError(f"FPIC : règle de droit commun antérieure à 2013 non modélisée ({d.isoformat()})")
    par = parametres_ or parametres()
    pops = serie("populations DGF", populations_dgf, strictement_positive=True)
    pf = serie("potentiel financier par habitant", potentiel_financier_hab, pops.index, strictement_positive=True)
    epci_dc, dc = droit_commun(montant, sens, cif, pops, pf)
    if criteres is not None and "ecart_revenu" in criteres and criteres["ecart_revenu"] is None:
        if revenu_hab is None:
            raise ValueError("critère « ecart_revenu » : revenu par habitant requis (revenu_hab)")
        criteres = {**criteres, "ecart_revenu": revenu_hab}
    if mode == "droit_commun":
        epci, communes = epci_dc, dc
    else:
        if part_epci is None and mode == "libre":
            raise ValueError("répartition libre : part de l'EPCI requise (part_epci)")
        epci = float(epci_dc if part_epci is None else part_epci)
        communes = _communes_proposees(mode, montant - epci, pops, parts_communes, criteres, poids, natures)
    t = pd.DataFrame({"droit_commun": dc, "montant": communes})
    t["ecart_relatif"] = t["montant"] / t["droit_commun"] - 1
    art = ARTICLES[sens]
    lignes = [controle("somme", proche(epci + float(communes.sum()), montant, montant), art,
                       epci + float(communes.sum()), montant),
              controle("montants_positifs", bool(epci >= -1e-9 and (communes >= -1e-9).all()), art)]
    if mode == "derogatoire":
        lignes += _controles_derogatoire(sens, d, par, epci, epci_dc, t, criteres, poids, lecture_ecart)
    c = tableau_controles(lignes)
    v = violations(c)
    return RepartitionFPIC(float(montant), sens, mode, epci, float(epci_dc), t, c, v, not v,
                           conditions_fpic(mode, d, parametres_=par), art)
