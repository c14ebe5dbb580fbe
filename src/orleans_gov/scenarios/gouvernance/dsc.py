"""Dotation de solidarité communautaire (DSC) by criteria — art. 1609 nonies C VI CGI, as in force at the date
(art. L5211-28-4 CGCT from 2020).

Rules (:data:`REGLES_DSC`):

- communauté d'agglomération, until 2019 (text read, etalab commit febd501; the date the word « prioritairement »
  entered the text is not verified): « peut instituer […] une dotation de solidarité communautaire, dont le principe et
  les critères de répartition sont fixés par le conseil communautaire statuant à la majorité des deux tiers. Le
  montant de cette dotation est fixé librement […]. Elle est répartie en tenant compte prioritairement de
  l'importance de la population et du potentiel fiscal ou financier par habitant, les autres critères étant fixés
  librement par le conseil. »
- communauté urbaine (and, reading not verified, métropole), until 2019: « elle institue une dotation de solidarité
  communautaire dont le montant et les critères de répartition sont fixés par le conseil communautaire, statuant à la
  majorité simple. Ces critères sont déterminés notamment en fonction : a. de l'écart du revenu par habitant de la
  commune au revenu moyen par habitant de l'[EPCI] ; b. de l'insuffisance de potentiel fiscal ou financier par
  habitant de la commune au regard du potentiel fiscal ou financier communal moyen par habitant ».
- EPCI signatory of a contrat de ville, from 23 February 2014 (loi n° 2014-173 du 21 février 2014, art. 12; text not
  read, summary svp.com): a pacte financier et fiscal de solidarité within one year of the contrat, failing which a
  DSC to the communes concerned by the contrat, « au moins égal[e] à 50 % de la croissance des produits » of the
  professional taxes (parameter ``dotation_solidarite_communautaire.contrat_de_ville.part_minimale_croissance``),
  allocated « notamment » by the écart de revenu and the insuffisance de potentiel
  (:func:`dsc_minimum_contrat_de_ville`).
- from 2020 (art. L5211-28-4 CGCT, loi n° 2019-1479; repère): compulsory for CU and métropoles, optional for CA;
  amount « à la majorité des deux tiers des suffrages exprimés » ; écart de revenu and insuffisance de potentiel,
  weighted by population, account for « au moins 35 % » (parameter ``…part_minimale_criteres_perequation``).

Criteria are computed by :func:`.pacte.part_critere` (population; insuffisance = pop × PF moyen / PF_c; écart de
revenu = pop × R moyen / R_c; free criteria ∝ their value).

Readings (``lecture_prioritaire``): « prioritairement » is met when population and potential criteria are both
present and together weigh more than half of the envelope (``"majoritaire"``, default: consistent with the case law
quoted by the research — « à 20 % seulement le poids des critères prioritaires demeurait insuffisant » (CAA, 2007), a
1 % potential / 99 % population key « parfaitement légale » (TA Orléans, 2016)); ``"presence"`` only requires both.
« notamment » (CU, contrat de ville) = both named criteria present with a positive weight. Under a contrat de ville
without pacte, the envelope goes to the communes concerned only (``communes_contrat_de_ville``).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from orleans_gov.base.parametres import Parametres, date_effet, parametres
from orleans_gov.scenarios.gouvernance.pacte import (POTENTIEL, REVENU, controle, majorite_simple, parts_ponderees,
                                                     poids_par_nature, reference_parametre, serie, tableau_controles,
                                                     violations, vote)

CATEGORIES_DSC = ("communaute_agglomeration", "communaute_urbaine", "metropole")
P = "dotation_solidarite_communautaire."
INSUFFISANCE = ("insuffisance_potentiel_financier", "insuffisance_potentiel_fiscal")
DEBUT_LAMY = _dt.date(2014, 2, 23)
REFERENCE_LAMY = ("CGI art. 1609 nonies C VI, rédaction de la loi n° 2014-173 du 21 février 2014, art. 12 (texte non "
                  "lu ; résumé svp.com)")


@dataclass(frozen=True)
class RegleDSC:
    """A version of the DSC rule for some categories: compulsory or not, the council's majority
    (``"deux_tiers_conseil"``, ``"majorite_simple"``, ``"deux_tiers_exprimes"``) and the criteria test
    (``"prioritaires"``, ``"notamment"``, ``"part_minimale"``)."""

    debut: _dt.date
    categories: tuple[str, ...]
    reference: str
    obligatoire: bool
    majorite: str
    criteres: str


ART_VI = "CGI art. 1609 nonies C VI (texte lu, etalab febd501)"
REGLES_DSC: tuple[RegleDSC, ...] = (
    RegleDSC(_dt.date(1999, 7, 13), ("communaute_agglomeration",), ART_VI + " : « prioritairement de l'importance de "
             "la population et du potentiel fiscal ou financier par habitant »", False, "deux_tiers_conseil",
             "prioritaires"),
    RegleDSC(_dt.date(1999, 7, 13), ("communaute_urbaine", "metropole"), ART_VI + " al. 2 (communauté urbaine ; "
             "métropole assimilée, non vérifié) : critères « notamment » écart de revenu et insuffisance de potentiel",
             True, "majorite_simple", "notamment"),
    RegleDSC(_dt.date(2020, 1, 1), ("communaute_agglomeration",), "CGCT art. L5211-28-4 (loi n° 2019-1479 ; repère, "
             "non lu)", False, "deux_tiers_exprimes", "part_minimale"),
    RegleDSC(_dt.date(2020, 1, 1), ("communaute_urbaine", "metropole"), "CGCT art. L5211-28-4 (loi n° 2019-1479 ; "
             "repère, non lu)", True, "deux_tiers_exprimes", "part_minimale"),
)


def regle_dsc(date: Any, categorie: str) -> RegleDSC:
    """The DSC rule in force at ``date`` for ``categorie``."""
    if categorie not in CATEGORIES_DSC:
        raise ValueError(f"catégorie inconnue pour la DSC : « {categorie} » (attendu : {', '.join(CATEGORIES_DSC)})")
    d = date_effet(date)
    courante = None
    for r in REGLES_DSC:
        if categorie in r.categories and r.debut <= d:
            courante = r
    if courante is None:
        raise KeyError(f"DSC : pas de règle au {d.isoformat()} pour « {categorie} »")
    return courante


def dsc_minimum_contrat_de_ville(produit_annee: float, produit_annee_precedente: float, date: Any, *,
                                 parametres_: Parametres | None = None) -> float:
    """Minimum DSC of an EPCI signatory of a contrat de ville without pacte financier et fiscal (loi n° 2014-173,
    art. 12): part × (product of the professional taxes of the year − that of the previous year), 0 when the product
    does not grow. Raises ``KeyError`` before 23 February 2014."""
    part = (parametres_ or parametres())(P + "contrat_de_ville.part_minimale_croissance", date)
    return max(0.0, part * (float(produit_annee) - float(produit_annee_precedente)))


@dataclass(frozen=True)
class RepartitionDSC:
    """Per commune: the criteria shares, ``part``, ``montant``, ``montant_par_habitant``; ``controles`` (rows per
    legal condition; ``conforme`` = none failed); ``minimum`` (contrat de ville, when computable); ``regle``."""

    enveloppe: float
    table: pd.DataFrame
    controles: pd.DataFrame
    conforme: bool
    minimum: float | None
    regle: RegleDSC


def _controles_criteres(regle: RegleDSC, poids: Mapping[str, float], d: _dt.date, lecture: str,
                        par: Parametres) -> list[dict]:
    pop, pot = poids_par_nature(poids, ("population",)), poids_par_nature(poids, POTENTIEL)
    rev, ins = poids_par_nature(poids, REVENU), poids_par_nature(poids, INSUFFISANCE)
    if regle.criteres == "prioritaires":
        lignes = [controle("criteres_prioritaires_presents", pop > 0 and pot > 0, regle.reference, pop + pot)]
        if lecture == "majoritaire":
            lignes.append(controle("criteres_prioritaires_majoritaires", pop + pot > 0.5, regle.reference, pop + pot,
                                   0.5))
        return lignes
    if regle.criteres == "notamment":
        return [controle("criteres_revenu_et_potentiel", rev > 0 and ins > 0, regle.reference, rev + ins)]
    minimum = par(P + "part_minimale_criteres_perequation", d)
    part = poids_par_nature(poids, ("ecart_revenu",) + INSUFFISANCE)
    return [controle("criteres_perequation_part_minimale", part >= minimum - 1e-12,
                     reference_parametre(par, P + "part_minimale_criteres_perequation", d), part, minimum)]


def repartition_dsc(enveloppe: float, populations: pd.Series, criteres: Mapping[str, pd.Series | None],
                    poids: Mapping[str, float], date: Any, *, categorie: str = "communaute_agglomeration",
                    contrat_de_ville: bool = False, pacte_adopte: bool = False,
                    communes_contrat_de_ville: list | None = None,
                    produit_impositions: tuple[float, float] | None = None,
                    natures: Mapping[str, str] | None = None, lecture_prioritaire: str = "majoritaire",
                    parametres_: Parametres | None = None) -> RepartitionDSC:
    """Split a DSC envelope (≥ 0) between the communes by weighted criteria, and check it against the rule in force.

    ``criteres``: criterion name → values per commune (PF per inhabitant for ``insuffisance_potentiel_financier``,
    income per inhabitant for ``ecart_revenu``, ``None`` for ``population``); ``poids``: weights summing to 1.
    ``produit_impositions`` = (product of the previous year, product of the year) for the contrat-de-ville minimum.
    """
    if lecture_prioritaire not in ("majoritaire", "presence"):
        raise ValueError(f"lecture de « prioritairement » inconnue : « {lecture_prioritaire} »")
    if enveloppe < 0:
        raise ValueError(f"enveloppe de DSC négative : {enveloppe!r}")
    d = date_effet(date)
    par = parametres_ or parametres()
    regle = regle_dsc(d, categorie)
    pops = serie("populations", populations, strictement_positive=True)
    lamy = contrat_de_ville and d >= DEBUT_LAMY
    beneficiaires = pops.index
    if lamy and not pacte_adopte and communes_contrat_de_ville is not None:
        beneficiaires = pd.Index([c for c in pops.index if c in set(communes_contrat_de_ville)])
        if len(beneficiaires) != len(set(communes_contrat_de_ville)):
            raise ValueError("communes du contrat de ville : communes inconnues de l'EPCI")
    crit = {k: (None if v is None else serie(f"critère « {k} »", v, pops.index).reindex(beneficiaires))
            for k, v in criteres.items()}
    parts = parts_ponderees(crit, poids, pops.reindex(beneficiaires), natures=natures).reindex(pops.index,
                                                                                                 fill_value=0.0)
    parts["montant"] = enveloppe * parts["part"]
    parts["montant_par_habitant"] = parts["montant"] / pops
    lignes = _controles_criteres(regle, poids, d, lecture_prioritaire, par)
    minimum = None
    if lamy:
        if pacte_adopte:
            lignes.append(controle("pacte_financier_et_fiscal_adopte", True, REFERENCE_LAMY))
        else:
            if produit_impositions is not None:
                minimum = dsc_minimum_contrat_de_ville(produit_impositions[1], produit_impositions[0], d,
                                                       parametres_=par)
            lignes.append(controle("dsc_minimale_contrat_de_ville", None if minimum is None else
                                   enveloppe >= minimum - 1e-9, REFERENCE_LAMY, enveloppe, minimum))
            lignes.append(controle("criteres_contrat_de_ville", poids_par_nature(poids, REVENU) > 0 and
                                   poids_par_nature(poids, INSUFFISANCE) > 0, REFERENCE_LAMY))
    t = tableau_controles(lignes)
    return RepartitionDSC(float(enveloppe), parts, t, not violations(t), minimum, regle)


def vote_dsc(votes: Mapping[Any, Any], sieges: pd.Series, populations: pd.Series, date: Any, *,
             categorie: str = "communaute_agglomeration") -> tuple[bool, str]:
    """Whether the council adopts the DSC (principle and criteria) at ``date``: two thirds of the council (CA until
    2019, rule ``"deux_tiers_conseil"`` of :mod:`.majorites`), simple majority (CU), two thirds of the votes cast
    (2020). ``votes`` as in :func:`.majorites.majorite_qualifiee`. Returns (adopted, reference)."""
    regle = regle_dsc(date, categorie)
    if regle.majorite == "majorite_simple":
        return majorite_simple(votes, sieges)[0], regle.reference
    base = "exprimes" if regle.majorite == "deux_tiers_exprimes" else "sieges"
    return vote("deux_tiers_conseil", votes, populations, date, sieges=sieges, base=base).adoptee, regle.reference
